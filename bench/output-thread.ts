// `npx tsx --import ./scripts/server-only.mjs --max-semi-space-size=32 bench/output-thread.ts
//   [--modes worker,thread,idle,...]`: what importing the largest Output trace file (20 MiB of steps,
// as bench/edge.ts sends it) costs the thread that serves requests, in one process on a fresh
// Postgres database, without HTTP. Modes, run in the order given: `worker` (importOutputTrace, the
// route's and S3's path: the file is prepared in a worker thread), `thread` (readOutputTrace and
// ingestOutputTrace: the same work in slices of this thread, the path before) and `idle` (30 s of
// nothing, the machine's own share). Per run: the longest gap of a 5 ms timer on this thread, the
// gaps over 100 ms, the event loop's utilization and this thread's garbage collections. Alternate
// the modes: the machine's load moves. Results: docs/performance.md › Edge.
import { execSync } from "node:child_process";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { OUTPUT_MAX_CHILDREN, OUTPUT_TRACE_MAX_BYTES } from "../lib/contracts/output.ts";
import { migratePostgres, openDatabase } from "../lib/db/client.ts";
import { importOutputTrace, ingestOutputTrace, readOutputTrace } from "../lib/ingest/sources/output/receive.ts";

const { values: args } = parseArgs({ options: { modes: { type: "string" }, "pg-url": { type: "string" } } });
const modes = (args.modes ?? "worker,thread,worker,thread").split(",");
const ADMIN = args["pg-url"] ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const NAME = `runlens_bench_output_${process.pid}`;

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// The file bench/edge.ts sends: groups of OUTPUT_MAX_CHILDREN steps under the root, 97% of the limit.
const T0 = Date.parse("2026-01-01T00:00:00Z");
const step = (i: number) => ({
  id: `step-${i}`,
  kind: "step",
  name: `step ${i}`,
  startedAt: T0 + i,
  endedAt: T0 + i + 1,
  input: { i },
});
const steps = Math.floor((OUTPUT_TRACE_MAX_BYTES * 0.97) / (JSON.stringify(step(100_000)).length + 1));
const groups = Array.from({ length: Math.ceil(steps / OUTPUT_MAX_CHILDREN) }, (_, g) => ({
  id: `group-${g}`,
  kind: "step",
  name: `group ${g}`,
  startedAt: T0,
  endedAt: T0 + steps + 1,
  children: Array.from({ length: Math.min(OUTPUT_MAX_CHILDREN, steps - g * OUTPUT_MAX_CHILDREN) }, (_, i) =>
    step(g * OUTPUT_MAX_CHILDREN + i),
  ),
}));
const body = Buffer.from(
  JSON.stringify({
    id: "bench-run",
    kind: "workflow",
    name: "edge",
    startedAt: T0,
    endedAt: T0 + steps + 2,
    children: groups,
  }),
);
/** The body as a request delivers it: 64 KB at a time, a turn of the event loop apart. */
async function* chunks() {
  for (let at = 0; at < body.length; at += 65_536) {
    yield body.subarray(at, at + 65_536);
    await new Promise((r) => setImmediate(r));
  }
}

let gcMax = 0;
let gcTotal = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMax = Math.max(gcMax, e.duration);
    gcTotal += e.duration;
  }
}).observe({ entryTypes: ["gc"] });

await admin(`CREATE DATABASE "${NAME}"`);
const url = new URL(ADMIN);
url.pathname = `/${NAME}`;
try {
  await migratePostgres(url.toString());
  const db = await openDatabase({ kind: "postgres", url: url.toString() });
  await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('ws_bench', 'Bench', 'bench')`);
  console.log(`${(body.length / 1e6).toFixed(1)} MB, ${steps} steps`);
  for (const mode of modes) {
    const start = performance.now();
    let last = start;
    let maxGap = 0;
    let over100 = 0;
    gcMax = 0;
    gcTotal = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      if (now - last > 100) over100++;
      last = now;
    }, 5);
    const elu0 = performance.eventLoopUtilization();
    const spans =
      mode === "idle"
        ? await new Promise<number>((r) => setTimeout(() => r(0), 30_000))
        : mode === "worker"
          ? (await importOutputTrace(db, "ws_bench", chunks())).spans
          : (await ingestOutputTrace(db, "ws_bench", await readOutputTrace(chunks()))).spans;
    clearInterval(timer);
    const elu = performance.eventLoopUtilization(elu0);
    console.log(
      `${mode}: ${Math.round(performance.now() - start)} ms, ${spans} spans; this thread: longest gap ${Math.round(maxGap)} ms, ${over100} gaps over 100 ms, event loop utilization ${Math.round(elu.utilization * 100)}%, GC longest ${Math.round(gcMax)} ms, GC in all ${Math.round(gcTotal)} ms; ${execSync("uptime").toString().trim()}`,
    );
  }
  await db.close();
} finally {
  await admin(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
}
process.exit(0);
