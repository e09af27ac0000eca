// `npm run bench:explorer [-- options]`: how fast the execution explorer shows and handles big
// executions. For each database (embedded PGlite first, then Postgres when reachable) it starts a
// real portal process on a fresh database, ingests executions of 1,000, 10,000 and 100,000 spans
// through the public API, times the details and outline APIs, then drives headless Chromium on
// `/executions/<id>`: first rendered row, first keypress handled, all pages loaded, scrolling.
// Everything it starts (server, browser, temp dirs, Postgres database) is removed at the end, also
// on failure or Ctrl-C, and every wait is bounded. The last line printed is one JSON object.
// See docs/performance.md.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type Browser, type BrowserContext, chromium, type Page } from "@playwright/test";
import pg from "pg";
import { buildIsStale, ensureBuild, nextBin, root, serverNodeFlags } from "../scripts/ensure-build.mjs";
import { freePort } from "../tests/helpers/server.ts";
import { intOpt } from "./options.ts";

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string" },
    runs: { type: "string" },
    db: { type: "string" },
    "pg-url": { type: "string" },
    "skip-build": { type: "boolean" },
    "timeout-s": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  allowPositionals: false,
});

if (args.help) {
  console.log(`npm run bench:explorer -- [options]
  --sizes A,B,C     spans per execution (default 1000,10000,100000)
  --runs N          browser measurements per execution, the median is reported (default 3)
  --db MODE         embedded | postgres | both | auto (default auto: embedded, then Postgres if reachable)
  --pg-url URL      admin URL of Postgres (default BENCH_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/postgres)
  --skip-build      use the existing .next build even when sources are newer (no \`next build\`)
  --timeout-s N     give up after N seconds in total (default 3600)`);
  process.exit(0);
}

function intList(raw: string | undefined, fallback: number[]): number[] {
  if (!raw) return fallback;
  const out = raw.split(",").map((s) => Number(s.trim().replace(/_/g, "")));
  if (out.some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`--sizes must be integers >= 2, got "${raw}"`);
  return out;
}
const SIZES = intList(args.sizes, [1_000, 10_000, 100_000]);
const RUNS = intOpt(args.runs, 3, "--runs");
const DB_MODE = args.db ?? "auto";
if (!["embedded", "postgres", "both", "auto"].includes(DB_MODE)) throw new Error(`--db: unknown mode "${DB_MODE}"`);
const PG_ADMIN_URL =
  args["pg-url"] ?? process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const TOTAL_TIMEOUT_MS = intOpt(args["timeout-s"], 3600, "--timeout-s") * 1000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const RUN_ID = `${process.pid}_${Date.now().toString(36)}`;
const PG_DB_NAME = `runlens_bench_explorer_${process.pid}`;
const EMAIL = "bench-owner@runlens.test";
const PASSWORD = "bench explorer password";
const API_KEY = `rl_bench_explorer_${RUN_ID}`;

/** Spans per ingest request (the API takes at most 1,000) and requests in flight. */
const INGEST_BATCH = 1_000;
const INGEST_CLIENTS = 2;
const DETAILS_PAGE = 1_000;
const OUTLINE_PAGE = 10_000;
const WHEEL_STEPS = 50;

// Bounds of the individual waits.
const SERVER_START_MS = 120_000;
const REQUEST_MS = 180_000;
const SPANS_STORED_MS = 120_000;
const PAGE_WAIT_MS = 60_000;
const ALL_LOADED_MS = 300_000;
const KEY_WAIT_MS = 15_000;

// Targets of the issue, and the thresholds used to decide them.
const TARGET_FIRST_ROW_MS = 1_500; // a 10,000-span execution shows its first rows in under 1.5 s
/** "Smooth" and "responsive": no main-thread task (so no input or frame) blocked for this long. */
const TARGET_TASK_MS = 100;

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started registers its undo here; run in reverse, once, with time bounds.

const cleanups: { name: string; fn: () => Promise<void> | void }[] = [];
let cleaning: Promise<void> | null = null;

function onCleanup(name: string, fn: () => Promise<void> | void) {
  cleanups.push({ name, fn });
}

/** Undoes, newest first, everything registered after `mark` (each undo bounded in time). */
async function cleanupTo(mark: number): Promise<void> {
  while (cleanups.length > mark) {
    const { name, fn } = cleanups.pop()!;
    try {
      await withTimeout(Promise.resolve().then(fn), 30_000, `cleanup: ${name}`);
    } catch (e) {
      console.error(`cleanup "${name}" failed: ${(e as Error).message}`);
    }
  }
}

function cleanupAll(): Promise<void> {
  cleaning ??= cleanupTo(0);
  return cleaning;
}

for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (e) => {
    console.error(`\n${event}: ${(e as Error)?.stack ?? e}\nstopping everything the bench started…`);
    void cleanupAll().finally(() => {
      console.log(JSON.stringify({ bench: "explorer", error: `${event}: ${(e as Error)?.message ?? e}` }));
      process.exit(1);
    });
  });
}

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping everything the bench started…`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function median(xs: (number | null | undefined)[]): number | null {
  const v = xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const round = (x: number | null | undefined, digits = 0): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Test data: one execution as a realistic depth-first tree of exactly `n` spans.

type Trace = Record<string, unknown> & { id: string; startedAt: number; endedAt?: number };

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "order refund customer invoice shipping address warehouse carrier tracking parcel delay policy " +
  "eligible amount currency payment card declined retry escalate summary intent confidence answer " +
  "context document search result ranking snippet source citation language tone friendly concise"
).split(" ");
const STEP_KINDS = ["function", "agent", "connector", "condition", "switch", "foreach", "parallel"] as const;
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "mistral-large"];
const TOOLS = ["search_orders", "get_customer", "create_ticket", "lookup_policy", "send_email"];

/**
 * A workflow_execution root with workflow_step children of every step type; agent steps hold an
 * agent_execution with llm_call (llm.usage) and tool_call children; tools log and call HTTP;
 * foreach/parallel nest further (depth up to 6). Inputs and outputs are about 300 bytes. The
 * list is depth-first, so any prefix is a valid tree: it is cut at exactly `n` spans.
 */
function buildExecution(executionId: string, n: number, seed: number): Trace[] {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[int(0, xs.length - 1)];
  const text = (chars: number) => {
    let s = "";
    while (s.length < chars) s += `${pick(WORDS)} `;
    return s.slice(0, chars);
  };
  const out: Trace[] = [];
  let clock = Date.UTC(2025, 5, 1, 9, 0, 0) + seed * 1000;
  const full = () => out.length >= n;

  /** Opens a span (null when the budget is spent); `close` ends it after its children. */
  function open(parent: Trace | null, fields: Record<string, unknown>): Trace | null {
    if (full()) return null;
    clock += int(1, 4);
    const t: Trace = {
      id: `${executionId}-s${out.length}`,
      executionId,
      parentId: parent?.id ?? null,
      startedAt: clock,
      status: "success",
      ...fields,
    };
    out.push(t);
    return t;
  }
  function close(t: Trace | null, minMs = 1, maxMs = 5) {
    if (!t) return;
    clock += int(minMs, maxMs);
    t.endedAt = clock;
  }
  function leaf(parent: Trace | null, fields: Record<string, unknown>, minMs: number, maxMs: number) {
    if (!parent) return;
    close(open(parent, fields), minMs, maxMs);
  }

  const log = (parent: Trace | null) =>
    leaf(
      parent,
      {
        type: "log",
        name: `log ${pick(["info", "debug", "warn"])}`,
        metadata: { level: "info", logger: "workflow" },
        output: { message: text(280) },
      },
      0,
      2,
    );
  const llm = (parent: Trace | null) => {
    const inputTokens = int(200, 4000);
    const outputTokens = int(20, 800);
    leaf(
      parent,
      {
        type: "llm_call",
        name: `llm ${pick(["draft-answer", "classify-intent", "summarise", "extract-fields"])}`,
        llm: {
          model: pick(MODELS),
          provider: "openai",
          promptName: "support-reply",
          usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
        },
        input: { messages: [{ role: "user", content: text(260) }] },
        output: { role: "assistant", content: text(280) },
      },
      200,
      3000,
    );
  };
  const tool = (parent: Trace | null, withHttp: boolean) => {
    const failed = rnd() < 0.005;
    const t = open(parent, {
      type: "tool_call",
      name: pick(TOOLS),
      status: failed ? "error" : "success",
      input: { query: text(240), limit: int(1, 50) },
      output: failed ? null : { items: [text(120), text(120)] },
      ...(failed ? { error: { name: "ToolError", message: "upstream timed out", stack: "ToolError: upstream" } } : {}),
    });
    if (withHttp)
      leaf(
        t,
        {
          type: "http_call",
          name: "GET /v1/orders",
          http: { method: "GET", url: "https://api.example.com/v1/orders?limit=20", statusCode: 200 },
          output: { body: text(280) },
        },
        20,
        400,
      );
    log(t);
    close(t, 1, 20);
  };
  const agent = (parent: Trace | null, withHttp: boolean) => {
    const a = open(parent, {
      type: "agent_execution",
      name: "support-agent",
      input: { question: text(280) },
      output: { answer: text(280) },
    });
    llm(a);
    tool(a, withHttp);
    llm(a);
    close(a);
  };
  const step = (parent: Trace | null, kind: string, name: string) =>
    open(parent, {
      type: "workflow_step",
      stepType: kind,
      name,
      input: { state: text(280) },
      output: { state: text(280) },
    });

  const rootSpan = open(null, {
    type: "workflow_execution",
    name: `explorer-bench-${n}`,
    agent: "bench-explorer",
    threadId: `bench-thread-${seed}`,
    input: { ticket: text(300) },
    output: { resolution: text(300) },
  });
  for (let i = 0; !full(); i++) {
    const kind = STEP_KINDS[i % STEP_KINDS.length];
    const s = step(rootSpan, kind, `${kind}-${i}`);
    switch (kind) {
      case "function":
        log(s);
        break;
      case "agent":
        agent(s, false);
        break;
      case "connector":
        tool(s, true);
        break;
      case "condition":
        llm(s);
        break;
      case "switch": {
        const branch = step(s, "function", `branch-${pick(["a", "b", "c"])}`);
        log(branch);
        close(branch);
        break;
      }
      case "foreach":
        for (let k = 0; k < 3; k++) {
          const it = step(s, "function", `item-${k}`);
          agent(it, false);
          close(it);
        }
        break;
      case "parallel":
        for (let k = 0; k < 2; k++) {
          const branch = step(s, "agent", `branch-${k}`);
          agent(branch, true); // root 0 > parallel 1 > branch 2 > agent 3 > tool 4 > http/log 5
          close(branch);
        }
        break;
    }
    close(s);
  }
  close(rootSpan);
  // Cut-off parents were never closed: close them after their last descendant.
  for (let i = out.length - 1; i >= 0; i--) if (out[i].endedAt === undefined) out[i].endedAt = ++clock;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The portal process

type Server = {
  label: string;
  url: string;
  pid: number;
  log: () => string;
  rssMb: () => number | null;
};

/**
 * A private copy of the current production build, served instead of the checkout's `.next`: a
 * `next build` started by anyone else in the shared checkout deletes and rewrites `.next`, and a
 * server running from it then serves pages whose scripts no longer exist (seen while writing this
 * bench). The copy is `.next` without its build cache, beside symlinks to everything else of the
 * checkout (node_modules, prisma/migrations, next.config.mjs, …). Taken only from a finished build
 * (BUILD_ID unchanged across the copy); waits, bounded, while a build is running.
 */
async function snapshotBuild(): Promise<string> {
  const dir = path.join(makeTempDir("runlens-bench-explorer-build-"), "app");
  const buildIdFile = path.join(root, ".next", "BUILD_ID");
  const readId = () => (fs.existsSync(buildIdFile) ? fs.readFileSync(buildIdFile, "utf8") : null);
  const deadline = Date.now() + 300_000;
  for (;;) {
    const before = readId();
    if (before !== null) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      try {
        fs.cpSync(path.join(root, ".next"), path.join(dir, ".next"), {
          recursive: true,
          verbatimSymlinks: true,
          filter: (src) => path.relative(path.join(root, ".next"), src) !== "cache",
        });
        if (readId() === before && fs.existsSync(path.join(dir, ".next", "BUILD_ID"))) break;
      } catch {
        // the build changed while copying: try again
      }
    }
    if (Date.now() > deadline) throw new Error("no finished build to copy after 300 s (is a `next build` stuck?)");
    await sleep(2_000);
  }
  for (const entry of fs.readdirSync(root)) {
    if (entry === ".next" || entry === ".git") continue;
    fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
  }
  return dir;
}

let buildCopy: string | null = null;

async function startServer(label: string, databaseUrl: string | null): Promise<Server> {
  if (!buildCopy) throw new Error("snapshotBuild() first");
  const tmp = makeTempDir(`runlens-bench-explorer-${label}-`);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    // The data dir's lock file sits beside it, so both live inside the temp dir.
    RUNLENS_DATA_DIR: path.join(tmp, "data"),
    DATABASE_URL: databaseUrl ?? "",
    REDIS_URL: "",
    RUNLENS_URL: "",
    RUNLENS_INIT_EMAIL: EMAIL,
    RUNLENS_INIT_PASSWORD: PASSWORD,
    RUNLENS_INIT_API_KEY: API_KEY,
    RUNLENS_INIT_WORKSPACE: "Bench",
  };
  let log = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [...serverNodeFlags, nextBin, "start", "-H", "127.0.0.1", "-p", String(port)],
    {
      cwd: buildCopy,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-64_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let spawnError: Error | null = null;
  child.on("error", (e) => {
    spawnError = e;
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  onCleanup(`stop ${label} server (pid ${child.pid})`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!stopped) {
      child.kill("SIGKILL");
      await Promise.race([exited, sleep(5_000)]);
    }
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + SERVER_START_MS;
  for (;;) {
    if (spawnError) throw new Error(`${label} server could not start: ${(spawnError as Error).message}`);
    if (child.exitCode !== null) throw new Error(`${label} server exited early:\n${log}`);
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${label} server did not start in ${SERVER_START_MS} ms:\n${log}`);
    await sleep(200);
  }
  return {
    label,
    url,
    pid: child.pid!,
    log: () => log,
    rssMb: () => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"));
        return m ? Math.round(Number(m[1]) / 1024) : null;
      } catch {
        return null;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP API

async function api<T>(server: Server, pathname: string, init: RequestInit = {}): Promise<{ body: T; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${server.url}${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json", ...init.headers },
    signal: AbortSignal.timeout(REQUEST_MS),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${pathname}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return { body: JSON.parse(text) as T, ms };
}

type Details = { tracesTotal: number; tracesHasMore: boolean; traces: unknown[] };
type Outline = { total: number; hasMore: boolean; spans: unknown[] };

const detailsUrl = (id: string, offset: number, limit: number) =>
  `/api/v1/runtime/v1/observability/executions/${encodeURIComponent(id)}/details?offset=${offset}&limit=${limit}`;
const outlineUrl = (id: string, offset: number) =>
  `/api/v1/observability/executions/${encodeURIComponent(id)}/outline?offset=${offset}&limit=${OUTLINE_PAGE}`;

/** Sends the spans in batches of ≤1,000 with a few requests in flight; fails on any rejected item. */
async function ingest(server: Server, traces: Trace[]): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const from = next;
      next += INGEST_BATCH;
      if (from >= traces.length) return;
      const batch = traces.slice(from, from + INGEST_BATCH);
      const { body } = await api<{ accepted: number; rejected: number; results: { error?: unknown }[] }>(
        server,
        "/api/v1/runtime/v1/observability/traces",
        { method: "POST", body: JSON.stringify({ traces: batch }) },
      );
      if (body.accepted !== batch.length) {
        const bad = body.results.find((r) => r.error);
        throw new Error(`ingest rejected ${body.rejected} of ${batch.length}: ${JSON.stringify(bad)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: INGEST_CLIENTS }, worker));
  return performance.now() - t0;
}

async function waitStored(server: Server, id: string, n: number): Promise<void> {
  const deadline = Date.now() + SPANS_STORED_MS;
  let seen = -1;
  for (;;) {
    try {
      seen = (await api<Details>(server, detailsUrl(id, 0, 1))).body.tracesTotal;
      if (seen === n) return;
    } catch {
      // the execution may not exist yet (ingest through a queue)
    }
    if (Date.now() > deadline)
      throw new Error(`execution ${id}: ${seen} of ${n} spans stored after ${SPANS_STORED_MS} ms`);
    await sleep(250);
  }
}

type ApiFigures = {
  details_first_page_ms: number | null;
  details_first_page_runs_ms: number[];
  details_all_pages_ms: number;
  details_pages: number;
  details_slowest_page_ms: number;
  outline_first_page_ms: number | null;
  outline_first_page_runs_ms: number[];
  outline_all_pages_ms: number;
  outline_pages: number;
  outline_first_page_bytes: number;
};

async function measureApi(server: Server, id: string, n: number): Promise<ApiFigures> {
  const firstDetails: number[] = [];
  for (let i = 0; i < RUNS; i++) firstDetails.push((await api<Details>(server, detailsUrl(id, 0, DETAILS_PAGE))).ms);

  let detailsAll = 0;
  let detailsPages = 0;
  let slowest = 0;
  let got = 0;
  for (let offset = 0; ; offset += DETAILS_PAGE) {
    const { body, ms } = await api<Details>(server, detailsUrl(id, offset, DETAILS_PAGE));
    detailsAll += ms;
    detailsPages++;
    slowest = Math.max(slowest, ms);
    got += body.traces.length;
    if (!body.tracesHasMore || body.traces.length === 0) break;
  }
  if (got !== n) throw new Error(`details pages of ${id} returned ${got} spans, expected ${n}`);

  const firstOutline: number[] = [];
  let outlineBytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await fetch(`${server.url}${outlineUrl(id, 0)}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
      signal: AbortSignal.timeout(REQUEST_MS),
    });
    const buf = await res.arrayBuffer();
    firstOutline.push(performance.now() - t0);
    if (!res.ok) throw new Error(`outline of ${id}: HTTP ${res.status}`);
    outlineBytes = buf.byteLength;
  }
  let outlineAll = 0;
  let outlinePages = 0;
  got = 0;
  for (let offset = 0; ; offset += OUTLINE_PAGE) {
    const { body, ms } = await api<Outline>(server, outlineUrl(id, offset));
    outlineAll += ms;
    outlinePages++;
    got += body.spans.length;
    if (!body.hasMore || body.spans.length === 0) break;
  }
  if (got !== n) throw new Error(`outline pages of ${id} returned ${got} spans, expected ${n}`);

  return {
    details_first_page_ms: round(median(firstDetails), 1),
    details_first_page_runs_ms: firstDetails.map((x) => round(x, 1)!),
    details_all_pages_ms: round(detailsAll)!,
    details_pages: detailsPages,
    details_slowest_page_ms: round(slowest)!,
    outline_first_page_ms: round(median(firstOutline), 1),
    outline_first_page_runs_ms: firstOutline.map((x) => round(x, 1)!),
    outline_all_pages_ms: round(outlineAll)!,
    outline_pages: outlinePages,
    outline_first_page_bytes: outlineBytes,
  };
}

// ---------------------------------------------------------------------------------------------
// The browser side. Times are read from the page's own clock: `performance.now()` counts from the
// navigation's start (timeOrigin), so "first row at 800 ms" includes the server render, the
// scripts, the outline request and React's first render.

type BenchState = {
  firstRow: number | null;
  firstRowFrame: number | null;
  progressSeen: number | null;
  progressSamples: { t: number; text: string }[];
  allLoaded: number | null;
  longTasks: { start: number; duration: number }[];
  keys: { key: string; t: number }[];
  selections: { t: number; frame: number | null; id: string | null }[];
  frames: number[];
  recordFrames: boolean;
};

declare global {
  interface Window {
    __bench: BenchState;
  }
}

/** Runs in every page before its scripts (serialised by Playwright: must be self-contained). */
function pageProbe() {
  const b: BenchState = {
    firstRow: null,
    firstRowFrame: null,
    progressSeen: null,
    progressSamples: [],
    allLoaded: null,
    longTasks: [],
    keys: [],
    selections: [],
    frames: [],
    recordFrames: false,
  };
  window.__bench = b;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch {
    // No longtask support (Chromium has it): every long-task figure would read 0.
  }
  window.addEventListener(
    "keydown",
    (e) => {
      if (e.key === "j") b.keys.push({ key: e.key, t: e.timeStamp });
    },
    true,
  );
  const treeSel = "[data-testid=trace-tree] [role=treeitem]";
  const progressSel = "header [role=status]";
  const watchDom = new MutationObserver(() => {
    const now = performance.now();
    if (b.firstRow === null && document.querySelector(treeSel)) {
      b.firstRow = now;
      // performance.now() in the callback, not its argument: the argument is the frame's
      // scheduled start, which can precede a long task that delayed the frame.
      requestAnimationFrame(() => {
        b.firstRowFrame = performance.now();
      });
    }
    if (b.firstRow === null) return;
    const progress = document.querySelector(progressSel);
    if (progress) {
      b.progressSeen ??= now;
      const text = progress.textContent ?? "";
      if (b.progressSamples.at(-1)?.text !== text) b.progressSamples.push({ t: now, text });
    } else if (b.progressSeen !== null) {
      b.allLoaded = now;
      watchDom.disconnect();
    } else {
      // The progress line renders with the first rows or never: the first page was complete.
      watchDom.disconnect();
    }
  });
  const watchSelection = new MutationObserver((records) => {
    const now = performance.now();
    for (const r of records) {
      const el = r.target as Element;
      if (el.getAttribute("aria-selected") === "true" && el.getAttribute("role") === "treeitem") {
        const entry: BenchState["selections"][number] = { t: now, frame: null, id: el.getAttribute("data-span-id") };
        b.selections.push(entry);
        requestAnimationFrame(() => {
          entry.frame = performance.now();
        });
      }
    }
  });
  const frameLoop = () => {
    if (b.recordFrames) b.frames.push(performance.now());
    requestAnimationFrame(frameLoop);
  };
  requestAnimationFrame(frameLoop);
  const start = () => {
    watchDom.observe(document, { childList: true, subtree: true, characterData: true });
    watchSelection.observe(document, { attributes: true, attributeFilter: ["aria-selected"], subtree: true });
  };
  if (document.documentElement) start();
  else document.addEventListener("readystatechange", start, { once: true });
}

type PageRun = {
  first_row_ms: number;
  first_row_frame_ms: number | null;
  interactive_ms: number;
  j_roundtrip_ms: number;
  longest_load_task_ms: number | null;
  all_loaded_ms: number | null;
  progress_seen: boolean;
  progress_steps: number;
  loading_j_presses: number;
  loading_j_max_ms: number | null;
  loading_longest_task_ms: number | null;
  longest_scroll_task_ms: number | null;
  scroll_long_tasks: number;
  scroll_max_frame_gap_ms: number | null;
  scroll_frames: number;
  scroll_ms: number;
  scroll_reached_bottom: boolean;
  last_row_rendered: boolean;
  rows_in_dom: number;
  outline_requests: number;
  /** The `offset` of every outline request the page made, in order (duplicates show refetches). */
  outline_offsets: number[];
};

const getState = (page: Page) => page.evaluate(() => window.__bench);
const nextFrames = (page: Page) =>
  page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

/** The longest long task overlapping [from, to]; 0 when there was none (none of 50 ms or more). */
function longestIn(tasks: { start: number; duration: number }[], from: number, to: number): number {
  const inside = tasks.filter((t) => t.start + t.duration > from && t.start < to);
  return inside.length ? Math.max(...inside.map((t) => t.duration)) : 0;
}

/**
 * Presses `j` and waits until `aria-selected` is on row `row` (the generator's ids follow the
 * depth-first order: row k is span `<execution>-s<k>`). Returns the page time of the frame that
 * shows the new selection and the round trip from the key event to that frame.
 */
async function pressJ(page: Page, executionId: string, row: number): Promise<{ at: number; roundTrip: number }> {
  const before = await page.evaluate(() => ({
    keys: window.__bench.keys.length,
    sel: window.__bench.selections.length,
  }));
  const want = `${executionId}-s${row}`;
  await page.keyboard.press("j");
  await page.waitForFunction(
    ({ want, sel }) => {
      const b = window.__bench;
      const last = b.selections.at(-1);
      return b.selections.length > sel && last?.id === want && last.frame !== null;
    },
    { want, sel: before.sel },
    { timeout: KEY_WAIT_MS },
  );
  const s = await getState(page);
  const key = s.keys[before.keys];
  const selected = s.selections.at(-1)!;
  if (!key) throw new Error("the j keydown was not seen by the page");
  return { at: selected.frame!, roundTrip: selected.frame! - key.t };
}

async function measurePage(context: BrowserContext, baseUrl: string, id: string, n: number): Promise<PageRun> {
  const page = await context.newPage();
  page.setDefaultTimeout(PAGE_WAIT_MS);
  const outlineOffsets: number[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/outline?")) outlineOffsets.push(Number(new URL(r.url()).searchParams.get("offset")));
  });
  try {
    await page.goto(`${baseUrl}/executions/${encodeURIComponent(id)}`, { waitUntil: "commit" });
    await page.waitForFunction(() => window.__bench?.firstRow !== null && window.__bench.firstRowFrame !== null);

    // Interactive: as soon as a row exists, focus the tree and press j twice (the first selects
    // row 0, the second moves to row 1); the time is the first frame showing row 1 selected. It
    // includes a few ms of DevTools-protocol round trips of the harness.
    const tree = page.getByTestId("trace-tree");
    await tree.focus();
    await page.keyboard.press("j");
    const second = await pressJ(page, id, 1);
    let s = await getState(page);
    const firstRow = s.firstRow!;

    // While later pages load (100k): keep pressing j and note how long each takes to show.
    const loadingJ: number[] = [];
    if (s.progressSeen !== null) {
      const deadline = Date.now() + ALL_LOADED_MS;
      let row = 1;
      while ((await getState(page)).allLoaded === null) {
        if (Date.now() > deadline) throw new Error(`${id}: not all spans loaded after ${ALL_LOADED_MS} ms`);
        row++;
        loadingJ.push((await pressJ(page, id, row)).roundTrip);
        await sleep(250);
      }
      s = await getState(page);
    }
    const loadedAt = s.allLoaded ?? second.at;
    const loadTask = longestIn(s.longTasks, 0, second.at);
    const loadingTask = s.progressSeen !== null ? longestIn(s.longTasks, firstRow, loadedAt) : null;

    // Scrolling: the mouse over the tree, WHEEL_STEPS wheel events down to the bottom.
    await tree.evaluate((el) => el.scrollTo(0, 0));
    await nextFrames(page);
    const box = await tree.boundingBox();
    if (!box) throw new Error("trace tree has no box");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const geometry = await tree.evaluate((el) => ({ scroll: el.scrollHeight - el.clientHeight }));
    const stepPx = Math.ceil(geometry.scroll / WHEEL_STEPS) + 1;
    const scrollStart = await page.evaluate(() => {
      window.__bench.frames = [];
      window.__bench.recordFrames = true;
      return performance.now();
    });
    for (let i = 0; i < WHEEL_STEPS; i++) {
      await page.mouse.wheel(0, stepPx);
      await nextFrames(page);
    }
    // Wait (bounded) until the scroll position settles.
    let last = -1;
    const settleBy = Date.now() + 10_000;
    for (;;) {
      const top = await tree.evaluate((el) => el.scrollTop);
      if (top === last || Date.now() > settleBy) break;
      last = top;
      await sleep(100);
    }
    await nextFrames(page);
    const scrollEnd = await page.evaluate(() => {
      window.__bench.recordFrames = false;
      return performance.now();
    });
    s = await getState(page);
    const bottom = await tree.evaluate((el) => ({
      reached: el.scrollTop + el.clientHeight >= el.scrollHeight - 2,
      rows: el.querySelectorAll("[role=treeitem]").length,
      lastRowId: (el.querySelector("[role=treeitem]:last-of-type")?.getAttribute("data-span-id") ?? "") as string,
    }));
    const gaps = s.frames.slice(1).map((t, i) => t - s.frames[i]);
    const scrollTasks = s.longTasks.filter((t) => t.start + t.duration > scrollStart && t.start < scrollEnd);
    return {
      first_row_ms: firstRow,
      first_row_frame_ms: s.firstRowFrame,
      interactive_ms: second.at,
      j_roundtrip_ms: second.roundTrip,
      longest_load_task_ms: loadTask,
      all_loaded_ms: s.allLoaded,
      progress_seen: s.progressSeen !== null,
      progress_steps: s.progressSamples.length,
      loading_j_presses: loadingJ.length,
      loading_j_max_ms: loadingJ.length ? Math.max(...loadingJ) : null,
      loading_longest_task_ms: loadingTask,
      longest_scroll_task_ms: scrollTasks.length ? Math.max(...scrollTasks.map((t) => t.duration)) : 0,
      scroll_long_tasks: scrollTasks.length,
      scroll_max_frame_gap_ms: gaps.length ? Math.max(...gaps) : null,
      scroll_frames: s.frames.length,
      scroll_ms: scrollEnd - scrollStart,
      scroll_reached_bottom: bottom.reached,
      last_row_rendered: bottom.lastRowId === `${id}-s${n - 1}`,
      rows_in_dom: bottom.rows,
      outline_requests: outlineOffsets.length,
      outline_offsets: outlineOffsets,
    };
  } catch (e) {
    // Say where the page was, what it showed and what the probe saw.
    const where = await page
      .evaluate(() => ({
        url: location.href,
        text: (document.body?.textContent ?? "").slice(0, 400),
        probe: window.__bench
          ? { ...window.__bench, frames: window.__bench.frames.length, longTasks: window.__bench.longTasks.length }
          : null,
      }))
      .catch(() => null);
    throw new Error(`${id}: ${(e as Error).message}\npage: ${JSON.stringify(where)}`);
  } finally {
    await page.close().catch(() => undefined);
  }
}

async function signIn(context: BrowserContext, baseUrl: string) {
  const page = await context.newPage();
  page.setDefaultTimeout(PAGE_WAIT_MS);
  try {
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/executions/);
  } finally {
    await page.close();
  }
}

// ---------------------------------------------------------------------------------------------
// One database: server, data, API, browser

type SizeResult = ApiFigures & {
  spans: number;
  ingest_ms: number;
  first_row_ms: number | null;
  first_row_frame_ms: number | null;
  interactive_ms: number | null;
  j_roundtrip_ms: number | null;
  longest_load_task_ms: number | null;
  all_loaded_ms: number | null;
  loading_j_max_ms: number | null;
  loading_longest_task_ms: number | null;
  longest_scroll_task_ms: number | null;
  scroll_max_frame_gap_ms: number | null;
  outline_requests: number | null;
  page_runs: PageRun[];
};

type DbResult = {
  db: "embedded" | "postgres";
  server_start_ms: number;
  server_rss_mb: number | null;
  cold_first_row_ms: number | null;
  sizes: Record<string, SizeResult>;
};

async function benchDatabase(kind: "embedded" | "postgres", databaseUrl: string | null): Promise<DbResult> {
  console.log(`\n== ${kind}: starting the portal…`);
  // The server, browser and temp dir of this database are stopped and removed when it is done.
  const mark = cleanups.length;
  try {
    return await benchOn(kind, databaseUrl);
  } finally {
    await cleanupTo(mark);
  }
}

async function benchOn(kind: "embedded" | "postgres", databaseUrl: string | null): Promise<DbResult> {
  const t0 = performance.now();
  const server = await startServer(kind, databaseUrl);
  const serverStart = performance.now() - t0;
  console.log(`   up in ${(serverStart / 1000).toFixed(1)} s at ${server.url} (pid ${server.pid})`);

  const ids = new Map<number, string>();
  const ingestMs = new Map<number, number>();
  for (const [i, n] of SIZES.entries()) {
    const id = `bench-explorer-${n}-${RUN_ID}`;
    const traces = buildExecution(id, n, i + 1);
    process.stdout.write(`   ingesting ${n.toLocaleString("en-US")} spans… `);
    const ms = await ingest(server, traces);
    await waitStored(server, id, n);
    console.log(`${(ms / 1000).toFixed(1)} s`);
    ids.set(n, id);
    ingestMs.set(n, ms);
  }

  const apiFigures = new Map<number, ApiFigures>();
  for (const n of SIZES) {
    process.stdout.write(`   API, ${n.toLocaleString("en-US")} spans… `);
    const f = await measureApi(server, ids.get(n)!, n);
    apiFigures.set(n, f);
    console.log(
      `details first page ${f.details_first_page_ms} ms, all ${f.details_pages} pages ${f.details_all_pages_ms} ms; outline first page ${f.outline_first_page_ms} ms`,
    );
  }

  let browser: Browser | null = null;
  const pageRuns = new Map<number, PageRun[]>();
  let cold: number | null = null;
  try {
    browser = await withTimeout(
      chromium.launch({
        executablePath: CHROMIUM,
        // Playwright would exit the process on these signals before the server and temp dirs are
        // removed; the bench's own handlers close the browser as part of the cleanup instead.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      }),
      60_000,
      "launch chromium",
    );
    const b = browser;
    onCleanup("close chromium", () => b.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    // tsx (esbuild keepNames) wraps named inner functions in `__name(...)`, which does not exist in
    // the page: define it before the probe so serialised functions run there.
    await context.addInitScript({ content: `globalThis.__name ??= (f) => f;\n(${pageProbe.toString()})();` });
    await signIn(context, server.url);
    // One unmeasured visit (the smallest execution) loads the page's scripts into the cache; its
    // first-row time is kept as the cold figure.
    const smallest = Math.min(...SIZES);
    cold = (await measurePage(context, server.url, ids.get(smallest)!, smallest)).first_row_ms;
    for (const n of SIZES) {
      const runs: PageRun[] = [];
      for (let r = 0; r < RUNS; r++) {
        process.stdout.write(`   browser, ${n.toLocaleString("en-US")} spans, run ${r + 1}/${RUNS}… `);
        const run = await measurePage(context, server.url, ids.get(n)!, n);
        runs.push(run);
        console.log(
          `first row ${run.first_row_ms.toFixed(0)} ms, interactive ${run.interactive_ms.toFixed(0)} ms` +
            (run.all_loaded_ms !== null ? `, all loaded ${run.all_loaded_ms.toFixed(0)} ms` : "") +
            `, scroll: longest task ${run.longest_scroll_task_ms?.toFixed(0)} ms, bottom ${run.scroll_reached_bottom}`,
        );
      }
      pageRuns.set(n, runs);
    }
    await context.close();
  } finally {
    await browser?.close().catch(() => undefined);
  }

  const rss = server.rssMb();
  const sizes: Record<string, SizeResult> = {};
  for (const n of SIZES) {
    const runs = pageRuns.get(n)!;
    const med = (k: keyof PageRun, digits = 0) => round(median(runs.map((r) => r[k] as number | null)), digits);
    sizes[String(n)] = {
      spans: n,
      ingest_ms: round(ingestMs.get(n))!,
      ...apiFigures.get(n)!,
      first_row_ms: med("first_row_ms"),
      first_row_frame_ms: med("first_row_frame_ms"),
      interactive_ms: med("interactive_ms"),
      j_roundtrip_ms: med("j_roundtrip_ms", 1),
      longest_load_task_ms: med("longest_load_task_ms"),
      all_loaded_ms: med("all_loaded_ms"),
      loading_j_max_ms: med("loading_j_max_ms"),
      loading_longest_task_ms: med("loading_longest_task_ms"),
      longest_scroll_task_ms: med("longest_scroll_task_ms"),
      scroll_max_frame_gap_ms: med("scroll_max_frame_gap_ms"),
      outline_requests: med("outline_requests"),
      page_runs: runs.map(
        (r) =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? round(v, 1) : v]),
          ) as PageRun,
      ),
    };
  }
  return { db: kind, server_start_ms: round(serverStart)!, server_rss_mb: rss, cold_first_row_ms: round(cold), sizes };
}

// ---------------------------------------------------------------------------------------------
// Postgres (optional)

async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function createBenchDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${PG_DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${PG_DB_NAME}`);
  } finally {
    await admin.end();
  }
  onCleanup(`drop database ${PG_DB_NAME}`, async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5_000 });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${PG_DB_NAME} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${PG_DB_NAME}`;
  const { migratePostgres } = await import("../lib/db/client.ts");
  await withTimeout(migratePostgres(url.toString()), 60_000, "migrate the bench database");
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Report

type Verdict = { target: string; met: boolean | null; measured: string };

function verdicts(results: DbResult[]): Verdict[] {
  const out: Verdict[] = [];
  for (const r of results) {
    const ten = r.sizes["10000"];
    const hundred = r.sizes["100000"];
    if (ten) {
      out.push({
        target: `[${r.db}] 10,000 spans: first rows in under ${TARGET_FIRST_ROW_MS} ms`,
        met: ten.first_row_ms === null ? null : ten.first_row_ms < TARGET_FIRST_ROW_MS,
        measured: `median first row ${ten.first_row_ms} ms`,
      });
      const reached = ten.page_runs.every((p) => p.scroll_reached_bottom && p.last_row_rendered);
      out.push({
        target: `[${r.db}] 10,000 spans: scrolls smoothly (to the bottom, no main-thread task >= ${TARGET_TASK_MS} ms)`,
        met: ten.longest_scroll_task_ms === null ? null : reached && ten.longest_scroll_task_ms < TARGET_TASK_MS,
        measured: `median longest scroll task ${ten.longest_scroll_task_ms} ms (0 = none over 50 ms), max frame gap ${ten.scroll_max_frame_gap_ms} ms, bottom reached and last row shown in every run: ${reached}`,
      });
    }
    if (hundred) {
      const paged = hundred.page_runs.every(
        (p) => p.progress_seen && p.progress_steps > 1 && p.all_loaded_ms !== null && p.first_row_ms < p.all_loaded_ms,
      );
      out.push({
        target: `[${r.db}] 100,000 spans: loads page by page (rows first, progress, then all)`,
        met: paged,
        measured: `median first row ${hundred.first_row_ms} ms, all loaded ${hundred.all_loaded_ms} ms, progress steps ${hundred.page_runs.map((p) => p.progress_steps).join("/")}`,
      });
      const worst = Math.max(
        hundred.loading_longest_task_ms ?? 0,
        hundred.loading_j_max_ms ?? 0,
        hundred.longest_scroll_task_ms ?? 0,
      );
      out.push({
        target: `[${r.db}] 100,000 spans: stays responsive (keys answered and no main-thread task >= ${TARGET_TASK_MS} ms while loading and scrolling)`,
        met: worst < TARGET_TASK_MS,
        measured: `median of runs: longest task while loading ${hundred.loading_longest_task_ms} ms, slowest j while loading ${hundred.loading_j_max_ms} ms, longest scroll task ${hundred.longest_scroll_task_ms} ms`,
      });
    }
  }
  return out;
}

function printTable(results: DbResult[]) {
  const cols: [string, (s: SizeResult) => number | string | null][] = [
    ["spans", (s) => s.spans.toLocaleString("en-US")],
    ["ingest s", (s) => (s.ingest_ms / 1000).toFixed(1)],
    ["details p1", (s) => s.details_first_page_ms],
    ["details all", (s) => s.details_all_pages_ms],
    ["outline p1", (s) => s.outline_first_page_ms],
    ["outline all", (s) => s.outline_all_pages_ms],
    ["first row", (s) => s.first_row_ms],
    ["interactive", (s) => s.interactive_ms],
    ["j ms", (s) => s.j_roundtrip_ms],
    ["all loaded", (s) => s.all_loaded_ms],
    ["load task", (s) => s.longest_load_task_ms],
    ["loading task", (s) => s.loading_longest_task_ms],
    ["scroll task", (s) => s.longest_scroll_task_ms],
    ["frame gap", (s) => s.scroll_max_frame_gap_ms],
    ["outline reqs", (s) => s.outline_requests],
  ];
  for (const r of results) {
    console.log(
      `\n${r.db}: server up in ${(r.server_start_ms / 1000).toFixed(1)} s, RSS ${r.server_rss_mb} MB after the runs, cold first row (1st visit) ${r.cold_first_row_ms} ms. Times in ms, medians of ${RUNS} page runs.`,
    );
    const rows = [cols.map(([h]) => h), ...Object.values(r.sizes).map((s) => cols.map(([, f]) => String(f(s) ?? "–")))];
    const widths = cols.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    for (const [k, row] of rows.entries()) {
      console.log(row.map((c, i) => c.padStart(widths[i])).join("  "));
      if (k === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const startedAt = new Date();
  const loadStart = os.loadavg();
  const watchdog = setTimeout(() => {
    console.error(`\nbench:explorer: over the ${TOTAL_TIMEOUT_MS / 1000} s limit, stopping.`);
    void cleanupAll().finally(() => {
      console.log(JSON.stringify({ bench: "explorer", error: "total timeout" }));
      process.exit(1);
    });
  }, TOTAL_TIMEOUT_MS);

  if (!fs.existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or CHROMIUM_PATH)`);
  if (args["skip-build"]) {
    if (!fs.existsSync(path.join(root, ".next/BUILD_ID"))) throw new Error("--skip-build: there is no build");
    if (buildIsStale()) console.log("--skip-build: the build is older than the sources; using it anyway.");
  } else if (!ensureBuild((m: string) => console.log(m))) throw new Error("next build failed");

  let pgUrl: string | null = null;
  const wantPg = DB_MODE === "postgres" || DB_MODE === "both" || DB_MODE === "auto";
  if (wantPg && !(await postgresReachable())) {
    if (DB_MODE === "auto") console.log(`Postgres not reachable at ${PG_ADMIN_URL}: embedded only.`);
    else throw new Error(`Postgres not reachable at ${PG_ADMIN_URL}`);
  } else if (wantPg) pgUrl = "pending";

  const results: DbResult[] = [];
  try {
    // Outside the per-database cleanup scopes: every server of the run serves this copy.
    buildCopy = await snapshotBuild();
    if (DB_MODE !== "postgres") results.push(await benchDatabase("embedded", null));
    if (pgUrl) {
      pgUrl = await createBenchDatabase();
      results.push(await benchDatabase("postgres", pgUrl));
    }
  } finally {
    clearTimeout(watchdog);
    await cleanupAll();
  }

  const v = verdicts(results);
  printTable(results);
  console.log("\nTargets (computed from the medians above):");
  for (const t of v)
    console.log(`  ${t.met === null ? "?" : t.met ? "MET    " : "NOT MET"}  ${t.target}: ${t.measured}`);
  const cpus = os.cpus();
  console.log(
    JSON.stringify({
      bench: "explorer",
      date: startedAt.toISOString(),
      machine: {
        cores: cpus.length,
        cpu: cpus[0]?.model ?? null,
        mem_gb: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        loadavg_start: loadStart.map((x) => round(x, 2)),
        loadavg_end: os.loadavg().map((x) => round(x, 2)),
      },
      options: { sizes: SIZES, runs: RUNS, db: DB_MODE, viewport: "1280x720", wheel_steps: WHEEL_STEPS },
      clock: "page performance.now() from navigation start",
      targets: v,
      results: Object.fromEntries(results.map((r) => [r.db, r])),
    }),
  );
}

main().catch(async (e) => {
  console.error(`bench:explorer failed: ${(e as Error).stack ?? e}`);
  await cleanupAll();
  console.log(JSON.stringify({ bench: "explorer", error: String((e as Error).message ?? e) }));
  process.exit(1);
});
