// `npm run bench:ingest [-- --spans N]`: end-to-end ingest throughput of a real portal process on
// Postgres + Redis (HTTP -> validation -> BullMQ -> worker -> Postgres, until every span is stored),
// compared with a raw `COPY spans FROM STDIN` of the same rows into the same Postgres.
// Everything it starts (server, worker processes, databases, Redis keys) is removed at the end,
// also on failure or Ctrl-C. See docs/performance.md.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import { Redis } from "ioredis";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { decodeTraceResponse } from "../lib/contracts/otlp.ts";
import { migratePostgres } from "../lib/db/client.ts";
import { ensureBuild, nextBin, root, serverNodeFlags } from "../scripts/ensure-build.mjs";
import { freePort } from "../tests/helpers/server.ts";
import { makeData, type Wire } from "./data.ts";
import { intOpt } from "./options.ts";
import { processTree } from "./proc-tree.ts";
import { oneExecution, otlpBodies } from "./traffic.ts";

/**
 * The load generator's POST: node:http with keep-alive, accepting gzip as SDK clients do. Lighter on
 * the CPU the bench shares with the server than fetch (undici), so more of the two cores measure
 * the portal rather than its clients.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(
  url: string,
  body: string | Buffer,
  contentType = "application/json",
): Promise<{ status: number; text: string; raw: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        timeout: 120_000,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          "content-type": contentType,
          "content-length": Buffer.byteLength(body),
          "accept-encoding": "gzip",
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          const data = res.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(raw) : raw;
          resolve({ status: res.statusCode ?? 0, text: data.toString("utf8"), raw: data });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timed out after 120 s")));
    req.on("error", reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    spans: { type: "string" },
    clients: { type: "string" },
    batch: { type: "string" },
    workers: { type: "string" },
    concurrency: { type: "string" },
    "server-worker": { type: "string" },
    "cpu-prof": { type: "boolean" },
    "node-flags": { type: "string" },
    "pg-url": { type: "string" },
    "redis-url": { type: "string" },
    "timeout-s": { type: "string" },
    traffic: { type: "string" },
    processes: { type: "string" },
    lanes: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  allowPositionals: false,
});

if (args.help) {
  console.log(`npm run bench:ingest -- [options]
  --spans N            spans to send (default 200000, or BENCH_SPANS)
  --clients N          concurrent HTTP clients (default 8)
  --batch N            spans per request (default 500)
  --concurrency N      RUNLENS_WORKER_CONCURRENCY of every worker (default: the product default, 4)
  --server-worker on|inprocess|off  RUNLENS_WORKER of the portal: on (default) = the worker in a child
                       process the server supervises, inprocess = in the web process, off = none
  --workers N          extra \`npm run worker\` processes (default 0)
  --cpu-prof           write V8 CPU profiles of the server, workers and SDK clients (to $TMPDIR/runlens-bench-profiles/)
  --node-flags=FLAGS   extra node flags for the server and workers (e.g. --node-flags=--max-semi-space-size=64)
  --pg-url URL         admin URL of Postgres (default postgresql://postgres@127.0.0.1:5432/postgres, or BENCH_PG_URL)
  --redis-url URL      Redis (default redis://127.0.0.1:6379, or BENCH_REDIS_URL)
  --timeout-s N        give up after N seconds of measuring (default 900)
  --traffic MODE       also measure real traffic, each on its own fresh database and portal, beside the
                       bench bodies of the same span count and COPY in the same run:
                         sdk   the real @runlens/sdk in --processes N (default 6) client processes, each
                               running --lanes N (default 16) executions at once: 35 spans each, start
                               and end sends, virtual durations (the SDK's clock option);
                               env BENCH_SDK_RUNNING_AFTER_MS=0 sends every start at once (the SDK before
                               sendRunningAfterMs)
                         otlp  the bench spans as OTLP protobuf (the OpenTelemetry serializer), --batch spans a request
                         big   the bench spans as one execution, --batch spans a request`);
  process.exit(0);
}

const SPANS = intOpt(args.spans ?? process.env.BENCH_SPANS, 200_000, "--spans");
const CLIENTS = intOpt(args.clients, 8, "--clients");
const BATCH = intOpt(args.batch, 500, "--batch");
const EXTRA_WORKERS = args.workers === "0" ? 0 : intOpt(args.workers, 0, "--workers");
const CONCURRENCY = args.concurrency ? intOpt(args.concurrency, 4, "--concurrency") : null;
const SERVER_WORKER = ((w) => (w === "off" || w === "inprocess" ? w : "on"))(args["server-worker"] ?? "on");
const CPU_PROF = !!args["cpu-prof"];
const NODE_FLAGS = (args["node-flags"] ?? "").split(/\s+/).filter(Boolean);
const PG_ADMIN_URL = args["pg-url"] ?? process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = args["redis-url"] ?? process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const TIMEOUT_MS = intOpt(args["timeout-s"], 900, "--timeout-s") * 1000;
const TRAFFIC = args.traffic ?? null;
if (TRAFFIC !== null && !["sdk", "otlp", "big"].includes(TRAFFIC))
  throw new Error("--traffic must be sdk, otlp or big");
const PROCESSES = intOpt(args.processes, 6, "--processes");
/** Spans (distinct ids) of one execution of bench/traffic-sdk-client.ts, 10 of them sent at start and at end. */
const SPANS_PER_EXECUTION = 35;
const LANES = intOpt(args.lanes, 16, "--lanes");
if (SERVER_WORKER === "off" && EXTRA_WORKERS === 0) throw new Error("--server-worker off needs --workers >= 1");

const RUN_ID = `${process.pid}_${Date.now().toString(36)}`;
const DB_NAME = `runlens_bench_${process.pid}`;
const COPY_DB_NAME = `runlens_bench_${process.pid}_copy`;
const QUEUE_PREFIX = `runlens_bench_${RUN_ID}`;
const API_KEY = `rl_bench_${RUN_ID}`;
const PROFILE_DIR = path.join(os.tmpdir(), "runlens-bench-profiles");

const dbUrl = (name: string) => {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
};

const log = (msg: string) => console.log(`[bench] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

// ---------------------------------------------------------------------------------------------
// Cleanup: every resource registers how to release it; released in reverse order, once.

const cleanups: { name: string; fn: () => Promise<void> }[] = [];
let cleaning: Promise<void> | null = null;
function onCleanup(name: string, fn: () => Promise<void>) {
  cleanups.push({ name, fn });
}
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await Promise.race([
          c.fn(),
          sleep(30_000).then(() => {
            throw new Error("timed out after 30 s");
          }),
        ]);
      } catch (e) {
        console.error(`[bench] cleanup of ${c.name} failed: ${(e as Error).message}`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    console.error(`[bench] ${sig}: stopping everything it started…`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Processes

type Proc = { name: string; child: ChildProcess; output: () => string };

function startProcess(name: string, argv: string[], env: NodeJS.ProcessEnv, ipc = false): Proc {
  let out = "";
  const stdio: ("ignore" | "pipe" | "ipc")[] = ["ignore", "pipe", "pipe", ...(ipc ? ["ipc" as const] : [])];
  const child = spawn(process.execPath, argv, { cwd: root, env, stdio });
  const keep = (d: Buffer) => {
    out += d;
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  onCleanup(name, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const graceful = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
    if (!graceful) {
      console.error(`[bench] ${name} did not stop within 20 s: SIGKILL`);
      child.kill("SIGKILL");
      await Promise.race([exited, sleep(5_000)]);
    }
  });
  return { name, child, output: () => out };
}

/** CPU seconds of a process and its live descendants (the portal's worker child process). */
function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((total, p) => total + procCpuSeconds(p), 0);
}

/** CPU seconds (user + system, own and waited-for children) of a process, from /proc. */
function procCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields 14..17 of stat(5) are utime, stime, cutime, cstime: indexes 11..14 after the comm
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return ticks / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds by pid of every process with this name (a postmaster's children count once they exit). */
function cpuByPid(comm: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/comm`, "utf8").trim() === comm) out.set(Number(d), procCpuSeconds(Number(d)));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** Busy and total jiffies of the whole machine. */
function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0];
  const v = line.split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return { busy: total - idle, total };
}

// ---------------------------------------------------------------------------------------------
// Database helpers

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function createDatabase(name: string): Promise<string> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${name}"`);
  onCleanup(`database ${name}`, () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  const url = dbUrl(name);
  await migratePostgres(url);
  return url;
}

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  onCleanup("pg connection", () => c.end().catch(() => undefined));
  return c;
}

/** `COPY (query) TO STDOUT` into memory. */
async function copyOut(c: pg.Client, query: string): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  const stream = c.query(copyTo(`COPY (${query}) TO STDOUT`));
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks;
}

async function copyIn(c: pg.Client, table: string, chunks: Buffer[]): Promise<void> {
  const stream = c.query(copyFrom(`COPY ${table} FROM STDIN`));
  await pipeline(async function* () {
    yield* chunks;
  }, stream);
}

async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  try {
    let cursor = "0";
    let deleted = 0;
    const deadline = Date.now() + 30_000;
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== "0" && Date.now() < deadline);
    return deleted;
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// The run

const SPAN_COLUMNS = [
  "workspace_id",
  "id",
  "execution_id",
  "parent_id",
  "type",
  "name",
  "step_type",
  "status",
  "started_at",
  "ended_at",
  "input",
  "output",
  "metadata",
  "error",
  "llm",
  "llm_model",
  "tokens_input",
  "tokens_output",
  "tokens_total",
  "http_method",
  "http_url",
  "http_status",
  "message",
  "message_role",
  "received_at",
].join(", ");

/** What a load's clients did: requests, each one's latency, CPU seconds of client processes other than this one. */
type Sent = { requests: number; latencies: number[]; childCpuS: number; notes: string[] };

/** One load measured end to end on its own database and portal. */
type Load = {
  label: string;
  /** Rows expected in `spans` once everything is stored. */
  rows: number;
  /** Spans the clients send, the rate's numerator: the rows in SDK format, the OTel spans for OTLP. */
  spans: number;
  executions: number;
  /** llm_call spans whose `config.api_key` must be stored redacted (the bench data), or null. */
  redacted: number | null;
  /** Before the clock starts (client processes loading). */
  prepare?: (base: string) => Promise<void>;
  send: (base: string, deadline: number) => Promise<Sent>;
};

/** Prepared bodies posted by CLIENTS concurrent clients, each taking the next body until all are sent. */
function bodiesLoad(
  load: Omit<Load, "send">,
  bodies: Buffer[],
  endpoint: { path: string; contentType: string; check: (res: { status: number; text: string; raw: Buffer }) => void },
): Load {
  return {
    ...load,
    send: async (base, deadline) => {
      let next = 0;
      const latencies: number[] = [];
      const client = async () => {
        for (;;) {
          const i = next++;
          if (i >= bodies.length) return;
          if (Date.now() > deadline) throw new Error("timed out while sending");
          const s = performance.now();
          const res = await post(`${base}${endpoint.path}`, bodies[i], endpoint.contentType);
          latencies.push(performance.now() - s);
          try {
            endpoint.check(res);
          } catch (e) {
            throw new Error(`request ${i}: ${(e as Error).message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, client));
      return { requests: bodies.length, latencies, childCpuS: 0, notes: [] };
    },
  };
}

const SDK_PATH = "/api/v1/runtime/v1/observability/traces";

/** The bench's own bodies (SDK format) and the like: every response 207 with every span accepted. */
function sdkBodiesLoad(load: Omit<Load, "send">, bodies: Buffer[]): Load {
  let accepted = 0;
  const inner = bodiesLoad(load, bodies, {
    path: SDK_PATH,
    contentType: "application/json",
    check: (res) => {
      if (res.status !== 207) throw new Error(`HTTP ${res.status} ${res.text.slice(0, 500)}`);
      const body = JSON.parse(res.text) as { accepted: number; rejected: number; results: { error?: unknown }[] };
      if (body.rejected > 0)
        throw new Error(
          `${body.rejected} rejected: ${JSON.stringify(body.results.find((x) => x.error)).slice(0, 500)}`,
        );
      accepted += body.accepted;
    },
  });
  return {
    ...inner,
    send: async (base, deadline) => {
      accepted = 0;
      const sent = await inner.send(base, deadline);
      if (accepted !== load.spans) throw new Error(`accepted ${accepted} of ${load.spans}`);
      return sent;
    },
  };
}

/** OTLP protobuf bodies: every response 200 without a partial success. */
function otlpLoad(load: Omit<Load, "send">, bodies: Buffer[]): Load {
  return bodiesLoad(load, bodies, {
    path: "/api/otel/v1/traces",
    contentType: "application/x-protobuf",
    check: (res) => {
      if (res.status !== 200) throw new Error(`HTTP ${res.status} ${res.text.slice(0, 300)}`);
      const partial = decodeTraceResponse(res.raw).partialSuccess;
      if (partial && Number(partial.rejectedSpans) > 0) throw new Error(`rejected: ${partial.errorMessage}`);
    },
  });
}

/** Client processes running the real SDK (bench/traffic-sdk-client.ts); loaded before the clock starts. */
function sdkLoad(executions: number): Load {
  const procs: Proc[] = [];
  const messages: { t: string; [k: string]: unknown }[][] = [];
  const waitFor = (t: string, ms: number) =>
    Promise.all(
      procs.map(async (p, i) => {
        const deadline = Date.now() + ms;
        for (;;) {
          const m = messages[i].find((x) => x.t === t);
          if (m) return m;
          if (p.child.exitCode !== null) throw new Error(`${p.name} exited early:\n${p.output()}`);
          if (Date.now() > deadline) throw new Error(`${p.name}: no "${t}" within ${ms / 1000} s:\n${p.output()}`);
          await sleep(50);
        }
      }),
    );
  return {
    label: "sdk",
    rows: executions * SPANS_PER_EXECUTION,
    spans: executions * SPANS_PER_EXECUTION,
    executions,
    redacted: null,
    prepare: async (base) => {
      for (let i = 0; i < PROCESSES; i++) {
        const share = Math.floor(executions / PROCESSES) + (i < executions % PROCESSES ? 1 : 0);
        messages.push([]);
        const p = startProcess(
          `sdk client ${i + 1}`,
          [
            // With --cpu-prof the clients are profiled too (one directory each).
            ...(CPU_PROF
              ? ["--cpu-prof", `--cpu-prof-dir=${path.join(PROFILE_DIR, `${RUN_ID}-sdk-client-${i + 1}`)}`]
              : []),
            "--import",
            "tsx",
            "bench/traffic-sdk-client.ts",
          ],
          {
            ...process.env,
            BENCH_URL: base,
            BENCH_API_KEY: API_KEY,
            BENCH_CHILD: String(i),
            BENCH_EXECUTIONS: String(share),
            BENCH_LANES: String(LANES),
          },
          true,
        );
        p.child.on("message", (m) => messages[i].push(m as { t: string }));
        procs.push(p);
      }
      await waitFor("ready", 60_000);
    },
    send: async (_base, deadline) => {
      for (const p of procs) p.child.send({ t: "go" });
      const done = await waitFor("done", deadline - Date.now());
      let requests = 0;
      let records = 0;
      let childCpuS = 0;
      const latencies: number[] = [];
      let timeouts = 0;
      for (const d of done as unknown as {
        stats: { traceRequests: number; tracesDelivered: number; tracesRejected: number; tracesDropped: number };
        problems: string[];
        timeouts: number;
        latencies: number[];
        cpuS: number;
      }[]) {
        if (d.problems.length || d.stats.tracesRejected || d.stats.tracesDropped)
          throw new Error(`SDK delivery problems: ${JSON.stringify({ ...d.stats, problems: d.problems })}`);
        requests += d.stats.traceRequests;
        records += d.stats.tracesDelivered;
        childCpuS += d.cpuS;
        timeouts += d.timeouts;
        for (const l of d.latencies) latencies.push(l);
      }
      return {
        requests,
        latencies,
        childCpuS,
        notes: [
          `${PROCESSES} SDK processes × ${LANES} executions at once; ${fmt(records)} records in ${fmt(requests)} requests (${fmt(records / requests, 1)} a request); ${timeouts} flush timeouts (flushTimeoutMs, sent later)`,
        ],
      };
    },
  };
}

type Phase = Awaited<ReturnType<typeof measure>>;

/**
 * One load end to end on a fresh database `dbName`: portal (and worker processes) started, warmed
 * up, the load sent from the first request until every row is in `spans`, the stored data
 * checked, the portal stopped. The database stays (for the COPY) until the run's cleanup.
 */
async function measure(load: Load, dbName: string, queuePrefix: string) {
  const url = await createDatabase(dbName);
  log(`database ${dbName} created and migrated`);
  onCleanup("redis keys", async () => {
    const n = await deleteRedisKeys(queuePrefix);
    if (n > 0) log(`deleted ${n} Redis keys under ${queuePrefix}`);
  });

  const tag = load.label.replace(/\W+/g, "-");
  if (CPU_PROF) fs.mkdirSync(PROFILE_DIR, { recursive: true });
  const profArgs = (name: string) =>
    NODE_FLAGS.concat(
      // One directory per process: node names the files by process and thread (tsx adds a loader thread).
      CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.join(PROFILE_DIR, `${RUN_ID}-${tag}-${name}`)}`] : [],
    );
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-bench-"));
  onCleanup("data dir", async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    RUNLENS_DATA_DIR: dataDir,
    DATABASE_URL: url,
    REDIS_URL,
    RUNLENS_QUEUE_PREFIX: queuePrefix,
    ...(CONCURRENCY ? { RUNLENS_WORKER_CONCURRENCY: String(CONCURRENCY) } : {}),
  };

  const port = await freePort();
  const server = startProcess(
    "server",
    [...serverNodeFlags, ...profArgs("server"), nextBin, "start", "-H", "127.0.0.1", "-p", String(port)],
    {
      ...baseEnv,
      RUNLENS_WORKER: SERVER_WORKER,
      RUNLENS_INIT_EMAIL: "bench@example.com",
      RUNLENS_INIT_PASSWORD: "bench-password-1234",
      RUNLENS_INIT_API_KEY: API_KEY,
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const startDeadline = Date.now() + 60_000;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`);
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > startDeadline) throw new Error(`server did not start within 60 s:\n${server.output()}`);
    await sleep(100);
  }
  const workers: Proc[] = [];
  for (let i = 0; i < EXTRA_WORKERS; i++)
    workers.push(
      startProcess(
        `worker ${i + 1}`,
        [
          ...profArgs(`worker${i + 1}`),
          "--import",
          "tsx",
          "--import",
          "./scripts/server-only.mjs",
          "scripts/worker.ts",
        ],
        baseEnv,
      ),
    );
  const workerDeadline = Date.now() + 60_000;
  while (!workers.every((w) => w.output().includes("ingest worker started"))) {
    for (const w of workers) if (w.child.exitCode !== null) throw new Error(`${w.name} exited early:\n${w.output()}`);
    if (Date.now() > workerDeadline) throw new Error("worker processes did not start within 60 s");
    await sleep(100);
  }
  log(`server on ${base}${workers.length ? ` and ${workers.length} worker process(es)` : ""} ready`);

  const db = await connect(url);
  const bullCounts = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  onCleanup("redis connection", async () => bullCounts.disconnect());
  const q = `${queuePrefix}:ingest`;
  const queueState = async () => {
    const m = bullCounts.multi();
    m.llen(`${q}:wait`);
    m.llen(`${q}:active`);
    m.zcard(`${q}:delayed`);
    m.zcard(`${q}:prioritized`);
    m.zcard(`${q}:failed`);
    const r = (await m.exec())!.map(([, v]) => Number(v));
    return { pending: r[0] + r[1] + r[2] + r[3], failed: r[4] };
  };

  // Warm-up: one small request, so route compilation and first connections are not measured.
  {
    const res = await fetch(`${base}${SDK_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        traces: [
          {
            id: "warmup",
            executionId: "warmup",
            type: "log",
            name: "warmup",
            startedAt: new Date().toISOString(),
          },
        ],
      }),
    });
    if (res.status !== 207) throw new Error(`warm-up request: HTTP ${res.status} ${await res.text()}`);
    const deadline = Date.now() + 30_000;
    while (Number((await db.query("SELECT count(*) AS n FROM spans")).rows[0].n) < 1) {
      if (Date.now() > deadline) throw new Error(`warm-up span not stored within 30 s:\n${server.output()}`);
      await sleep(50);
    }
    await db.query("DELETE FROM executions WHERE id = 'warmup'"); // cascades to its span
  }
  await load.prepare?.(base);

  // ---- End to end: first request until every span is in `spans`.
  const cpu0 = {
    server: treeCpuSeconds(server.child.pid!),
    workers: workers.reduce((a, w) => a + procCpuSeconds(w.child.pid!), 0),
    postgres: cpuByPid("postgres"),
    redis: sum(cpuByPid("redis-server")),
    bench: process.cpuUsage(),
    machine: machineTicks(),
  };
  const load1 = os.loadavg()[0];
  const t0 = performance.now();
  const runDeadline = Date.now() + TIMEOUT_MS;
  const sent = await load.send(base, runDeadline);
  const tAccepted = performance.now();

  // Drain: BullMQ counters in Redis (cheap) every 50 ms; once no job is left (every request has
  // been answered, so every batch was queued), what is stored: the executions' span counts, which
  // each batch's transaction commits with its spans. Not a count(*) of spans while jobs run, as
  // before: a scan of the whole table (hundreds of MB, in parallel workers) every 2 s cost Postgres
  // CPU inside the timed window, which COPY's phase does not have. The exact counts are checked
  // after the clock stops.
  let stored = 0;
  for (;;) {
    const { pending, failed } = await queueState();
    if (failed > 0) throw new Error(`${failed} ingest job(s) failed; server output:\n${server.output().slice(-4000)}`);
    if (pending === 0) {
      stored = Number((await db.query("SELECT COALESCE(sum(span_count), 0)::bigint AS n FROM executions")).rows[0].n);
      if (stored >= load.rows) break;
    }
    if (Date.now() > runDeadline)
      throw new Error(`timed out: ${stored} of ${load.rows} spans stored, ${pending} jobs pending`);
    await sleep(50);
  }
  const tStored = performance.now();
  // Postgres backends serving the bench database (the server's pool, workers), apart from the
  // whole cluster (which also counts WAL writer, checkpointer and anything else on this server).
  const backendPids = (
    await db.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
  ).rows.map((r) => Number(r.pid));
  const cpu1 = {
    server: treeCpuSeconds(server.child.pid!),
    workers: workers.reduce((a, w) => a + procCpuSeconds(w.child.pid!), 0),
    postgres: cpuByPid("postgres"),
    redis: sum(cpuByPid("redis-server")),
    bench: process.cpuUsage(cpu0.bench),
    machine: machineTicks(),
  };
  const e2eMs = tStored - t0;
  const acceptMs = tAccepted - t0;
  const latencies = sent.latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];

  // Correctness of what was stored: span count, execution rollups, tokens, redaction, final versions.
  const check = (
    await db.query(
      `SELECT (SELECT count(*) FROM spans)::int AS spans,
              (SELECT count(*) FROM executions)::int AS executions,
              (SELECT COALESCE(sum(span_count), 0) FROM executions)::int AS rolled_up,
              (SELECT COALESCE(sum(tokens_total), 0) FROM executions)::bigint AS exec_tokens,
              (SELECT COALESCE(sum(tokens_total), 0) FROM spans WHERE type = 'llm_call')::bigint AS span_tokens,
              (SELECT count(*) FROM spans WHERE llm->'config'->>'api_key' = '[REDACTED]')::int AS redacted,
              (SELECT count(*) FROM spans WHERE status = 'running')::int AS running`,
    )
  ).rows[0];
  if (check.spans !== load.rows || check.rolled_up !== load.rows || check.executions !== load.executions)
    throw new Error(`stored data does not add up: ${JSON.stringify(check)}`);
  if (check.exec_tokens !== check.span_tokens || (load.redacted !== null && check.redacted !== load.redacted))
    throw new Error(`rollup or redaction mismatch: ${JSON.stringify(check)}`);
  if (check.running !== 0) throw new Error(`spans left running (an end version lost): ${JSON.stringify(check)}`);
  log(
    `stored and checked: ${fmt(check.spans)} spans, ${fmt(check.executions)} executions whose span_count and tokens add up${load.redacted === null ? ", none running" : `, ${fmt(check.redacted)} redacted api keys`}`,
  );

  // Stop the portal before the next phase and the COPY, so they have the machine to themselves.
  const stopAt = cleanups.findIndex((c) => c.name === "server");
  for (const c of cleanups.splice(stopAt).reverse()) await c.fn(); // workers, server, connections after it
  if (CPU_PROF)
    log(`CPU profiles in ${PROFILE_DIR}/${RUN_ID}-${tag}-*/ (the largest file of a directory is the main thread)`);
  // Row writes of the phase (warm-up included), from the statistics its backends flushed when they exited:
  // resent versions show as deletes and re-inserts of spans, re-rolls as updates of executions.
  const statsDb = await connect(url);
  const writes = Object.fromEntries(
    (
      await statsDb.query(
        // spans is partitioned: its partitions count its writes (the parent counts none).
        `SELECT CASE WHEN s.relid = 'executions'::regclass THEN 'executions' ELSE 'spans' END AS relname,
             sum(s.n_tup_ins)::int AS inserted, sum(s.n_tup_upd)::int AS updated, sum(s.n_tup_del)::int AS deleted
           FROM pg_stat_user_tables s
           WHERE s.relid = 'executions'::regclass OR s.relid IN (SELECT relid FROM pg_partition_tree('spans'))
           GROUP BY 1`,
      )
    ).rows.map((r) => [r.relname as string, { inserted: r.inserted, updated: r.updated, deleted: r.deleted }]),
  ) as Record<"spans" | "executions", { inserted: number; updated: number; deleted: number }>;
  await statsDb.end();

  const cpu = {
    server: cpu1.server - cpu0.server,
    workers: cpu1.workers - cpu0.workers,
    postgres: sum(cpu1.postgres) - sum(cpu0.postgres),
    backends: backendPids.reduce((a, pid) => a + (cpu1.postgres.get(pid) ?? 0) - (cpu0.postgres.get(pid) ?? 0), 0),
    redis: cpu1.redis - cpu0.redis,
    // The bench process (clients, polling) and its client processes.
    bench: (cpu1.bench.user + cpu1.bench.system) / 1e6 + sent.childCpuS,
    machineBusy: (100 * (cpu1.machine.busy - cpu0.machine.busy)) / Math.max(1, cpu1.machine.total - cpu0.machine.total),
    other: 0,
  };
  // Everything else that ran on the machine meanwhile (other programs, the kernel's own work).
  cpu.other = Math.max(
    0,
    (cpu1.machine.busy - cpu0.machine.busy) / 100 - cpu.server - cpu.workers - cpu.postgres - cpu.redis - cpu.bench,
  );
  return {
    label: load.label,
    url,
    load,
    sent,
    e2eMs,
    acceptMs,
    spansPerS: load.spans / (e2eMs / 1000),
    rowsPerS: load.rows / (e2eMs / 1000),
    p50: pct(50),
    p95: pct(95),
    max: latencies[latencies.length - 1],
    cpu,
    writes,
    load1,
  };
}

/** The limit: COPY of the rows stored by `phase` (as stored) into the real `spans` of the copy database. */
async function copyLimit(phase: Phase, copyUrl: string) {
  const dumpDb = await connect(phase.url);
  const copyDb = await connect(copyUrl);
  for (const table of ["workspaces", "agents", "executions"]) {
    await copyIn(copyDb, table, await copyOut(dumpDb, `SELECT * FROM ${table}`));
  }
  // Statistics first, so the foreign-key lookups of the COPY are planned on the primary key (the best case).
  await copyDb.query("ANALYZE workspaces, agents, executions");
  const rows = await copyOut(dumpDb, `SELECT ${SPAN_COLUMNS} FROM spans ORDER BY started_at, id`);
  const copyBytes = rows.reduce((a, b) => a + b.length, 0);
  await dumpDb.query("CHECKPOINT").catch(() => undefined); // superuser only; a clean start for the COPY
  const c0 = performance.now();
  await copyIn(copyDb, `spans (${SPAN_COLUMNS})`, rows);
  const copyMs = performance.now() - c0;
  const copied = Number((await copyDb.query("SELECT count(*) AS n FROM spans")).rows[0].n);
  if (copied !== phase.load.rows) throw new Error(`COPY stored ${copied} of ${phase.load.rows}`);
  return { copyMs, copySpansPerS: phase.load.rows / (copyMs / 1000), copyBytes };
}

const cpuLine = (cpu: Phase["cpu"], e2eMs: number) =>
  `portal (web process and its children) ${fmt(cpu.server, 1)} s, worker processes ${fmt(cpu.workers, 1)} s, postgres ${fmt(cpu.postgres, 1)} s (of which this database's backends ${fmt(cpu.backends, 1)} s), redis ${fmt(cpu.redis, 1)} s, bench clients ${fmt(cpu.bench, 1)} s, anything else ${fmt(cpu.other, 1)} s; machine ${fmt(cpu.machineBusy)}% busy of ${os.cpus().length} cores over ${fmt(e2eMs / 1000, 1)} s`;
const cpuJson = (cpu: Phase["cpu"]) => ({
  server: Number(cpu.server.toFixed(1)),
  workers: Number(cpu.workers.toFixed(1)),
  postgres: Number(cpu.postgres.toFixed(1)),
  postgres_backends: Number(cpu.backends.toFixed(1)),
  redis: Number(cpu.redis.toFixed(1)),
  bench: Number(cpu.bench.toFixed(1)),
  other: Number(cpu.other.toFixed(1)),
});
function printTable(rowsTable: [string, string, string][]) {
  const w0 = Math.max(...rowsTable.map((r) => r[0].length));
  const w1 = Math.max(...rowsTable.map((r) => r[1].length));
  console.log("");
  console.log(`${"".padEnd(w0)}  ${"time".padStart(w1)}  rate`);
  for (const [a, b, c] of rowsTable) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  console.log("");
}

/** Spans in SDK request bodies of BATCH spans, encoded once here: the clients share the two cores with what is measured. */
function sdkBodies(spans: Wire[]): { bodies: Buffer[]; bytes: number } {
  const bodies: Buffer[] = [];
  let bytes = 0;
  for (let i = 0; i < spans.length; i += BATCH) {
    const body = Buffer.from(JSON.stringify({ traces: spans.slice(i, i + BATCH) }));
    bytes += body.byteLength;
    bodies.push(body);
  }
  return { bodies, bytes };
}

async function main() {
  const started = Date.now();
  log(
    `${fmt(SPANS)} spans, ${CLIENTS} clients × ${BATCH} spans a request; RUNLENS_WORKER=${SERVER_WORKER}, extra worker processes: ${EXTRA_WORKERS}, concurrency: ${CONCURRENCY ?? "default (4)"}${TRAFFIC ? `; traffic: ${TRAFFIC}` : ""}`,
  );

  // Data first, outside any timing. SDK traffic runs whole executions of 35 spans: the bench
  // bodies it is compared with get the same number of spans.
  const t = Date.now();
  const sdkExecutions = Math.max(PROCESSES, Math.round(SPANS / SPANS_PER_EXECUTION));
  const total = TRAFFIC === "sdk" ? sdkExecutions * SPANS_PER_EXECUTION : SPANS;
  const data = makeData(total);
  const { bodies, bytes: wireBytes } = sdkBodies(data.spans);
  const avgSpanBytes = wireBytes / total;
  const llmCalls = data.spans.filter((s) => s.type === "llm_call").length;
  log(
    `generated ${fmt(total)} spans in ${fmt(data.executions)} executions (${fmt(total / data.executions, 1)} spans each, ${fmt((100 * llmCalls) / total, 1)}% llm_call), ${fmt(avgSpanBytes)} bytes of JSON a span, ${bodies.length} requests, in ${Date.now() - t} ms`,
  );
  const benchBodies = sdkBodiesLoad(
    { label: "bench bodies", rows: total, spans: total, executions: data.executions, redacted: llmCalls },
    bodies,
  );
  let traffic: Load | null = null;
  if (TRAFFIC === "sdk") traffic = sdkLoad(sdkExecutions);
  else if (TRAFFIC === "otlp") {
    const t1 = Date.now();
    const otlp = otlpBodies(data.spans, BATCH);
    const bytes = otlp.bodies.reduce((a, b) => a + b.byteLength, 0);
    log(
      `OTLP: ${fmt(otlp.bodies.length)} protobuf bodies of ${BATCH} spans, ${fmt(bytes / total)} bytes a span, gen_ai attributes on ${fmt((100 * otlp.genAi) / total, 1)}% of spans; ${fmt(otlp.rows)} rows to store (span events and chat turns are rows too), in ${Date.now() - t1} ms`,
    );
    traffic = otlpLoad(
      { label: "otlp", rows: otlp.rows, spans: total, executions: data.executions, redacted: null },
      otlp.bodies,
    );
  } else if (TRAFFIC === "big") {
    const big = sdkBodies(oneExecution(data.spans));
    traffic = sdkBodiesLoad({ label: "big", rows: total, spans: total, executions: 1, redacted: llmCalls }, big.bodies);
  }
  data.spans.length = 0; // keep only the serialized bodies

  if (!ensureBuild((m: string) => log(m))) throw new Error("next build failed");

  const copyUrl = await createDatabase(COPY_DB_NAME);
  const mode = traffic
    ? await measure(traffic, `${DB_NAME}_${TRAFFIC}`, `${QUEUE_PREFIX}_${TRAFFIC}`).then(async (phase) => {
        await adminQuery(`DROP DATABASE IF EXISTS "${DB_NAME}_${TRAFFIC}" WITH (FORCE)`); // no autovacuum during the next phase
        return phase;
      })
    : null;
  const body = await measure(benchBodies, DB_NAME, QUEUE_PREFIX);

  // ---- The limit: COPY of the same rows (as stored) into the real `spans` of a second database.
  const { copyMs, copySpansPerS, copyBytes } = await copyLimit(body, copyUrl);
  const ratio = body.spansPerS / copySpansPerS;

  // ---- Report
  const phases = mode ? [mode, body] : [body];
  printTable([
    ...phases.flatMap((p): [string, string, string][] => [
      [
        mode ? `${p.label}: HTTP accept (all answered)` : "HTTP accept (all 207s)",
        `${fmt(p.acceptMs)} ms`,
        `${fmt(p.load.spans / (p.acceptMs / 1000))} spans/s`,
      ],
      [`${mode ? `${p.label}: ` : ""}end to end (all stored)`, `${fmt(p.e2eMs)} ms`, `${fmt(p.spansPerS)} spans/s`],
    ]),
    ["COPY FROM STDIN", `${fmt(copyMs)} ms`, `${fmt(copySpansPerS)} spans/s`],
    ...(mode
      ? [
          [`ratio ${mode.label} / bench bodies`, "", fmt(mode.spansPerS / body.spansPerS, 3)] as [
            string,
            string,
            string,
          ],
        ]
      : []),
    [mode ? "ratio bench bodies / COPY" : "ratio end to end / COPY", "", fmt(ratio, 3)],
  ]);
  for (const p of phases) {
    const who = mode ? `${p.label}: ` : "";
    console.log(
      `${who}request latency p50 ${fmt(p.p50)} ms, p95 ${fmt(p.p95)} ms, max ${fmt(p.max)} ms${p === body ? `; COPY input ${fmt(copyBytes / 1e6, 1)} MB` : ""}`,
    );
    for (const note of p.sent.notes) console.log(`${who}${note}`);
    if (p.load.rows !== p.load.spans)
      console.log(`${who}${fmt(p.load.spans)} spans sent, ${fmt(p.load.rows)} rows stored (${fmt(p.rowsPerS)} rows/s)`);
    console.log(`${who}CPU during end to end: ${cpuLine(p.cpu, p.e2eMs)}`);
    const { spans: sw, executions: ew } = p.writes;
    console.log(
      `${who}row writes: spans ${fmt(sw.inserted)} inserted, ${fmt(sw.updated)} updated, ${fmt(sw.deleted)} deleted; executions ${fmt(ew.inserted)} inserted, ${fmt(ew.updated)} updated, ${fmt(ew.deleted)} deleted`,
    );
  }
  const common = {
    executions: data.executions,
    avg_span_bytes: Math.round(avgSpanBytes),
    clients: CLIENTS,
    batch: BATCH,
    server_worker: SERVER_WORKER,
    worker_processes: EXTRA_WORKERS,
    worker_concurrency: CONCURRENCY ?? 4,
    ...(NODE_FLAGS.length ? { node_flags: NODE_FLAGS.join(" ") } : {}),
  };
  const tail = {
    cores: os.cpus().length,
    node: process.version,
    date: new Date().toISOString(),
    total_s: Math.round((Date.now() - started) / 1000),
  };
  if (mode)
    return {
      bench: "ingest",
      traffic: TRAFFIC,
      spans_per_s: Math.round(mode.spansPerS),
      bodies_spans_per_s: Math.round(body.spansPerS),
      copy_spans_per_s: Math.round(copySpansPerS),
      ratio_vs_bodies: Number((mode.spansPerS / body.spansPerS).toFixed(3)),
      ratio_bodies_vs_copy: Number(ratio.toFixed(3)),
      spans: total,
      rows: mode.load.rows,
      traffic_executions: mode.load.executions,
      ...(TRAFFIC === "sdk" ? { processes: PROCESSES, lanes: LANES } : {}),
      ...common,
      traffic_requests: mode.sent.requests,
      e2e_ms: Math.round(mode.e2eMs),
      bodies_e2e_ms: Math.round(body.e2eMs),
      copy_ms: Math.round(copyMs),
      p50_ms: Math.round(mode.p50),
      p95_ms: Math.round(mode.p95),
      cpu_s: cpuJson(mode.cpu),
      bodies_cpu_s: cpuJson(body.cpu),
      writes: mode.writes,
      bodies_writes: body.writes,
      machine_busy_pct: Math.round(mode.cpu.machineBusy),
      bodies_machine_busy_pct: Math.round(body.cpu.machineBusy),
      load1_before: Number(mode.load1.toFixed(2)),
      bodies_load1_before: Number(body.load1.toFixed(2)),
      ...tail,
    };
  return {
    bench: "ingest",
    spans_per_s: Math.round(body.spansPerS),
    copy_spans_per_s: Math.round(copySpansPerS),
    ratio: Number(ratio.toFixed(3)),
    spans: SPANS,
    ...common,
    accept_spans_per_s: Math.round(SPANS / (body.acceptMs / 1000)),
    e2e_ms: Math.round(body.e2eMs),
    copy_ms: Math.round(copyMs),
    p50_ms: Math.round(body.p50),
    p95_ms: Math.round(body.p95),
    cpu_s: cpuJson(body.cpu),
    machine_busy_pct: Math.round(body.cpu.machineBusy),
    load1_before: Number(body.load1.toFixed(2)),
    ...tail,
  };
}

let code = 0;
let result: Awaited<ReturnType<typeof main>> | null = null;
try {
  result = await main();
} catch (e) {
  console.error(`[bench] failed: ${(e as Error).stack ?? e}`);
  code = 1;
} finally {
  await cleanup();
}
// The machine-readable result is the last line of the output.
if (result) console.log(JSON.stringify(result));
process.exit(code);
