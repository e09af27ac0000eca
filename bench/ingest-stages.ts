// `npx tsx --import ./scripts/server-only.mjs bench/ingest-stages.ts [--spans N]`: the ingest path
// stage by stage, in one process and one batch at a time, on a fresh Postgres database: where the
// CPU of a span goes (parse, validation, mapping, protection, the queued job's COPY text, write).
// Complements bench/ingest.ts.
import { parseArgs } from "node:util";
import pg from "pg";
import { parseTraceRecordFast, type TraceRecord, ZTraceRecord } from "../lib/contracts/ingest.ts";
import { migratePostgres, openDatabase } from "../lib/db/client.ts";
import { buildSpanBatch, validateItems } from "../lib/ingest/pipeline.ts";
import { executionContexts, mapTraceRecord } from "../lib/ingest/sources/sdk/map.ts";
import { spanJobFormat, toSpanJob, writeSpanBatch } from "../lib/ingest/write/spans.ts";
import { makeData } from "./data.ts";

const { values: args } = parseArgs({ options: { spans: { type: "string" }, batch: { type: "string" } } });
const SPANS = Number(args.spans ?? 20_000);
const BATCH = Number(args.batch ?? 500);
const ADMIN = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const NAME = `runlens_bench_stages_${process.pid}`;

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const { spans } = makeData(SPANS);
const bodies: string[] = [];
for (let i = 0; i < spans.length; i += BATCH) bodies.push(JSON.stringify({ traces: spans.slice(i, i + BATCH) }));

await admin(`CREATE DATABASE "${NAME}"`);
const url = new URL(ADMIN);
url.pathname = `/${NAME}`;
try {
  await migratePostgres(url.toString());
  const db = await openDatabase({ kind: "postgres", url: url.toString() });
  await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('ws_bench', 'Bench', 'bench')`);
  const t: Record<string, number> = {};
  const time = <T>(k: string, fn: () => T): T => {
    const s = performance.now();
    const r = fn();
    t[k] = (t[k] ?? 0) + performance.now() - s;
    return r;
  };
  const timeAsync = async <T>(k: string, fn: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const r = await fn();
    t[k] = (t[k] ?? 0) + performance.now() - s;
    return r;
  };
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (const body of bodies) {
    const items = time("1 JSON.parse request", () => (JSON.parse(body) as { traces: unknown[] }).traces);
    const { valid } = time("2 validate", () =>
      validateItems(items, ZTraceRecord, (x) => (x as { id: string }).id, parseTraceRecordFast),
    );
    const records = valid as TraceRecord[];
    const mapped = time("3 map + contexts", () => ({
      spans: records.map(mapTraceRecord),
      ctx: executionContexts(records),
    }));
    const batch = await timeAsync("4 protect (redact, truncate)", () =>
      buildSpanBatch(db, "ws_bench", "sdk", mapped.spans, mapped.ctx),
    );
    const job = time("5 job (COPY text)", () => toSpanJob(batch, spanJobFormat(db)));
    await timeAsync("6 writeSpanBatch", () => writeSpanBatch(db, job));
  }
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  for (const [k, v] of Object.entries(t).sort())
    console.log(
      `${k.padEnd(32)} ${v.toFixed(0).padStart(7)} ms  ${((1000 * v) / SPANS).toFixed(1).padStart(6)} µs/span`,
    );
  console.log(
    `wall ${wall.toFixed(0)} ms (${Math.round(SPANS / (wall / 1000))} spans/s), node CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`,
  );
  await db.close();
} finally {
  await admin(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
}
