// `npm run bench:edge`: does the worst request of each kind leave the server answering? Starts the
// built portal (on its own Postgres database, no Redis: ingest is written in the request, the
// heavier path for the web process), measures GET /api/health latency idle, then again while each
// worst request allowed by the API's limits (README › API › Limits) runs, back to back, and prints
// one row per kind (health p50/p99/max while it ran; target: max under 200 ms; beside it, a request
// that touches no database, to tell the event loop from database contention). Requests the
// limits refuse are sent too, to show they are refused at once. Results: docs/performance.md.
import fs from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import { CLOUDFLARE_MAX_EXCEPTIONS, CLOUDFLARE_MAX_LOGS } from "../lib/contracts/cloudflare.ts";
import { INGEST_MAX_BYTES, INGEST_MAX_ITEMS } from "../lib/contracts/ingest.ts";
import { METRIC_MAX_BUCKETS } from "../lib/contracts/metrics.ts";
import { OUTPUT_MAX_CHILDREN, OUTPUT_TRACE_MAX_BYTES } from "../lib/contracts/output.ts";
import { migratePostgres } from "../lib/db/client.ts";
import { type RunningServer, startPortal } from "../tests/helpers/server.ts";
import { intOpt } from "./options.ts";

const { values: args } = parseArgs({
  options: {
    "pg-url": { type: "string" },
    runs: { type: "string" },
    depth: { type: "string" },
    only: { type: "string" },
    "node-flags": { type: "string" },
    "server-log": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(`npm run bench:edge [-- options]
  --pg-url URL   Postgres server to create the bench database on (default postgresql://postgres@127.0.0.1:5432/postgres)
  --runs N       times each worst request is sent, back to back (default 3)
  --depth N      nesting depth of the deepest JSON body (default 128, the API's limit)
  --only TEXT    run only the kinds whose name contains TEXT
  --node-flags=FLAGS   extra node flags for the server (e.g. --node-flags=--trace-gc)
  --server-log FILE    write the server's output there at the end (with --trace-gc: its collections)`);
  process.exit(0);
}
const ADMIN = args["pg-url"] ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const RUNS = intOpt(args.runs, 3, "--runs");
const DEPTH = intOpt(args.depth, 128, "--depth");
const NODE_FLAGS = (args["node-flags"] ?? "").split(/\s+/).filter(Boolean);
const DB_NAME = `runlens_bench_edge_${process.pid}`;
const HEALTH_TARGET_MS = 200;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The worst requests

/** `expect`: the status it gets (the first; a re-sent Output file is 200, a re-import). */
type Worst = { kind: string; method: string; path: string; body: string; expect: number[] };
const T0 = Date.parse("2026-01-01T00:00:00Z");

/** Nested `depth` levels deep in total, counting the levels the envelope already takes. */
function nested(depth: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

/** As many items as fit in the byte limit (and the item limit), each `make(i)`. */
function fill<T>(make: (i: number) => T, maxItems: number, wrap: (items: T[]) => unknown): string {
  const items: T[] = [];
  let size = JSON.stringify(wrap([])).length;
  for (let i = 0; i < maxItems; i++) {
    const item = make(i);
    const n = JSON.stringify(item).length + 1;
    if (size + n > INGEST_MAX_BYTES * 0.98) break;
    items.push(item);
    size += n;
  }
  return JSON.stringify(wrap(items));
}

function trace(i: number, input: unknown) {
  return {
    id: `edge-${i}`,
    executionId: `edge-exec-${Math.floor(i / 50)}`,
    parentId: i % 50 ? `edge-${i - (i % 50)}` : null,
    type: i % 50 ? "llm_call" : "agent_execution",
    name: "bench",
    agent: "edge-bench",
    startedAt: new Date(T0 + i).toISOString(),
    endedAt: new Date(T0 + i + 5).toISOString(),
    input,
  };
}

function worstRequests(): Worst[] {
  const metric = (body: Record<string, unknown>, status: number): Worst => ({
    kind: "",
    method: "POST",
    path: "/api/v1/metrics/query",
    body: JSON.stringify({ agent: "edge-bench", event: "order_placed", aggregation: "count", ...body }),
    expect: [status],
  });
  const padding = "x".repeat(4_000);
  const log = (i: number) => ({ timestamp: T0 + i, level: "log", message: [`line ${i}`, padding.slice(0, 60)] });
  const exception = (i: number) => ({
    timestamp: T0,
    name: "Error",
    message: `failure ${i}`,
    stack: padding.slice(0, 300),
  });
  const cloudflareItem = {
    scriptName: "edge-bench",
    outcome: "exception",
    eventTimestamp: T0,
    event: { request: { url: "https://example.com/x", method: "GET", headers: {} }, response: { status: 500 } },
    logs: Array.from({ length: CLOUDFLARE_MAX_LOGS }, (_, i) => log(i)),
    exceptions: Array.from({ length: CLOUDFLARE_MAX_EXCEPTIONS }, (_, i) => exception(i)),
  };
  const outputChild = (i: number) => ({
    id: `step-${i}`,
    kind: "step",
    name: `step ${i}`,
    startedAt: T0 + i,
    endedAt: T0 + i + 1,
    input: { i },
  });
  return [
    {
      ...metric(
        { from: "1930-01-01T00:00:00Z", to: "2029-12-31T00:00:00Z", interval: "month", timezone: "Asia/Kolkata" },
        200,
      ),
      kind: "metric query: 100 years by month, a :30 zone",
    },
    {
      ...metric(
        { from: T0, to: T0 + (METRIC_MAX_BUCKETS - 2) * 3_600_000, interval: "hour", timezone: "America/Sao_Paulo" },
        200,
      ),
      kind: `metric query: ${METRIC_MAX_BUCKETS - 2} hourly buckets`,
    },
    {
      ...metric({ from: "0001-01-01T00:00:00Z", to: "9999-12-31T00:00:00Z", interval: "day" }, 400),
      kind: "metric query: year 1 to 9999 (refused)",
    },
    { ...metric({ from: -8_640_000_000_000_000, to: Date.now() }, 400), kind: "metric query: from -8.64e15 (refused)" },
    {
      kind: `deepest JSON: ${INGEST_MAX_ITEMS} traces, input nested to depth ${DEPTH}`,
      method: "POST",
      path: "/api/v1/runtime/v1/observability/traces",
      // The envelope takes three levels ({"traces": [ {…input: ).
      body: fill(
        (i) => trace(i, nested(DEPTH - 3)),
        INGEST_MAX_ITEMS,
        (traces) => ({ traces }),
      ),
      expect: [207],
    },
    {
      kind: `JSON nested ${DEPTH + 1} deep (refused)`,
      method: "POST",
      path: "/api/v1/runtime/v1/observability/traces",
      body: JSON.stringify({ traces: [trace(0, nested(DEPTH - 2))] }),
      expect: [400],
    },
    {
      kind: `largest Cloudflare item: ${CLOUDFLARE_MAX_LOGS} logs, ${CLOUDFLARE_MAX_EXCEPTIONS} exceptions`,
      method: "POST",
      path: "/api/v1/ingest/cloudflare",
      body: JSON.stringify([cloudflareItem]),
      expect: [207],
    },
    {
      kind: "Cloudflare batch: as many largest items as fit in the body",
      method: "POST",
      path: "/api/v1/ingest/cloudflare",
      body: fill(
        (i) => ({ ...cloudflareItem, scriptName: `edge-bench-${i}` }),
        INGEST_MAX_ITEMS,
        (items) => items,
      ),
      expect: [207],
    },
    {
      kind: `largest Output node: ${OUTPUT_MAX_CHILDREN} children`,
      method: "POST",
      path: "/api/v1/ingest/output",
      body: JSON.stringify({
        id: "edge-run",
        kind: "workflow",
        name: "edge",
        startedAt: T0,
        endedAt: T0 + OUTPUT_MAX_CHILDREN + 10,
        children: Array.from({ length: OUTPUT_MAX_CHILDREN }, (_, i) => outputChild(i)),
      }),
      expect: [201, 200],
    },
    {
      kind: `largest Output file: ${Math.round(OUTPUT_TRACE_MAX_BYTES / 1e6)} MB of steps`,
      method: "POST",
      path: "/api/v1/ingest/output",
      body: largestOutputFile(outputChild),
      expect: [201, 200],
    },
    {
      kind: `biggest ingest batch: ${INGEST_MAX_ITEMS} traces, ~${Math.round(INGEST_MAX_BYTES / 1e6)} MB`,
      method: "POST",
      path: "/api/v1/runtime/v1/observability/traces",
      body: fill(
        (i) => trace(i, { text: padding }),
        INGEST_MAX_ITEMS,
        (traces) => ({ traces }),
      ),
      expect: [207],
    },
  ];
}

/** A trace file of as many steps as fit in the Output limit: groups of OUTPUT_MAX_CHILDREN under the root. */
function largestOutputFile(step: (i: number) => unknown): string {
  const stepBytes = JSON.stringify(step(100_000)).length + 1;
  const steps = Math.floor((OUTPUT_TRACE_MAX_BYTES * 0.97) / stepBytes);
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
  return JSON.stringify({
    id: "edge-big-run",
    kind: "workflow",
    name: "edge",
    startedAt: T0,
    endedAt: T0 + steps + 2,
    children: groups,
  });
}

// ---------------------------------------------------------------------------------------------
// Measuring

/** One health request: its latency, and whether it answered 200 (a 503 is a check that timed out). */
async function healthOnce(url: string): Promise<{ ms: number; ok: boolean }> {
  const start = performance.now();
  const res = await fetch(`${url}/api/health`).catch(() => null);
  await res?.arrayBuffer();
  return { ms: performance.now() - start, ok: res?.ok ?? false };
}

/**
 * A request that touches no database (a GET of an ingest route: 405): how long the server's event
 * loop keeps it waiting, apart from the database contention that health's `SELECT 1` also meets.
 */
async function loopOnce(url: string): Promise<{ ms: number; ok: boolean }> {
  const start = performance.now();
  const res = await fetch(`${url}/api/v1/runtime/v1/observability/traces`).catch(() => null);
  await res?.arrayBuffer();
  return { ms: performance.now() - start, ok: res?.status === 405 };
}

/** Answers of `once`, one request after the other (10 ms apart), until `done` resolves. */
async function sampleWhile(
  once: () => Promise<{ ms: number; ok: boolean }>,
  done: Promise<unknown>,
): Promise<{ ms: number; ok: boolean }[]> {
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  const out: { ms: number; ok: boolean }[] = [];
  while (!finished) {
    out.push(await once());
    await new Promise((r) => setTimeout(r, 10));
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function send(server: RunningServer, w: Worst): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  const res = await fetch(`${server.url}${w.path}`, {
    method: w.method,
    headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
    body: w.body,
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - start };
}

async function seedEvents(server: RunningServer): Promise<void> {
  // A year of events, so the metric queries have rollups and raw edges to read.
  for (let batch = 0; batch < 20; batch++) {
    const events = Array.from({ length: 1_000 }, (_, i) => ({
      id: `ev-${batch}-${i}`,
      name: "order_placed",
      agent: "edge-bench",
      timestamp: new Date(T0 - Math.floor(Math.random() * 365 * 86_400_000)).toISOString(),
      properties: { amount: i % 97, category: `c${i % 13}` },
    }));
    const res = await fetch(`${server.url}/api/v1/runtime/v1/observability/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ events }),
    });
    if (res.status !== 207) throw new Error(`seeding events answered ${res.status}: ${await res.text()}`);
  }
}

async function main(): Promise<void> {
  await admin(`CREATE DATABASE "${DB_NAME}"`);
  const url = new URL(ADMIN);
  url.pathname = `/${DB_NAME}`;
  let server: RunningServer | undefined;
  const cleanup = async () => {
    await server?.stop().catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`).catch(() => undefined);
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    await migratePostgres(url.toString());
    server = await startPortal({ databaseUrl: url.toString(), env: { REDIS_URL: "" }, nodeFlags: NODE_FLAGS });
    await seedEvents(server);
    const worst = worstRequests().filter((w) => !args.only || w.kind.includes(args.only));
    for (let i = 0; i < 20; i++) await healthOnce(server.url); // warm up
    const idle: number[] = [];
    const idleLoop: number[] = [];
    for (let i = 0; i < 100; i++) {
      idle.push((await healthOnce(server.url)).ms);
      idleLoop.push((await loopOnce(server.url)).ms);
      await new Promise((r) => setTimeout(r, 10));
    }
    const rows: Record<string, unknown>[] = [];
    console.log(
      `idle health: p50 ${ms(pct(idle, 50))}, p99 ${ms(pct(idle, 99))}, max ${ms(Math.max(...idle))}; no-database request: p50 ${ms(pct(idleLoop, 50))}, max ${ms(Math.max(...idleLoop))}`,
    );
    for (const w of worst) {
      const health: number[] = [];
      const loop: number[] = [];
      let healthFailed = 0;
      const took: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const request = send(server, w);
        const [healthAnswers, loopAnswers] = await Promise.all([
          sampleWhile(() => healthOnce(server!.url), request),
          sampleWhile(() => loopOnce(server!.url), request),
        ]);
        for (const h of healthAnswers) {
          health.push(h.ms);
          if (!h.ok) healthFailed++;
        }
        loop.push(...loopAnswers.map((a) => a.ms));
        const { status, ms: t } = await request;
        if (!w.expect.includes(status)) throw new Error(`${w.kind}: answered ${status}, expected ${w.expect}`);
        took.push(t);
      }
      const row = {
        kind: w.kind,
        status: w.expect[0],
        bodyBytes: w.body.length,
        requestMs: Math.round(pct(took, 50)),
        healthSamples: health.length,
        healthP50Ms: Number(pct(health, 50).toFixed(1)),
        healthP99Ms: Number(pct(health, 99).toFixed(1)),
        healthMaxMs: Number(Math.max(...health).toFixed(1)),
        healthFailed,
        loopP99Ms: Number(pct(loop, 99).toFixed(1)),
        loopMaxMs: Number(Math.max(...loop).toFixed(1)),
      };
      rows.push(row);
      console.log(
        `${w.kind}: ${w.expect[0]} in ${row.requestMs} ms (${(w.body.length / 1e6).toFixed(2)} MB); health p50 ${ms(row.healthP50Ms)}, p99 ${ms(row.healthP99Ms)}, max ${ms(row.healthMaxMs)}${healthFailed ? `, ${healthFailed} not 200` : ""}${row.healthMaxMs > HEALTH_TARGET_MS ? "  ABOVE TARGET" : ""}; no-database request p99 ${ms(row.loopP99Ms)}, max ${ms(row.loopMaxMs)}`,
      );
    }
    console.log(
      JSON.stringify({
        bench: "edge",
        runs: RUNS,
        idle: { p50: pct(idle, 50), p99: pct(idle, 99), max: Math.max(...idle), loopMax: Math.max(...idleLoop) },
        targetMs: HEALTH_TARGET_MS,
        rows,
      }),
    );
  } catch (e) {
    // The server's own last words, when it is the one that failed.
    console.error(server?.output().split("\n").slice(-30).join("\n"));
    throw e;
  } finally {
    if (args["server-log"] && server) fs.writeFileSync(args["server-log"], server.output());
    await cleanup();
  }
}

await main();
