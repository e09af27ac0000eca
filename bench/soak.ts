// `npm run soak [-- --quick | --duration <seconds>] [--sdk-clients N] [--workers N]`
//
// Steady ingest load for minutes (the real SDK from child processes, raw batches over HTTP) while
// the infrastructure fails: worker and web process killed, persistent Redis restarted, Postgres
// restarted fast and immediate and stopped for 30 s, Redis filled, batches resent while the first
// try is in flight. Then it reconciles every acknowledged id straight from the database. Its own
// Postgres cluster and Redis on free ports, in a temporary directory it removes at the end (also on
// Ctrl-C or failure). The last line is a JSON summary; the exit code is 1 on any loss.
// See docs/reliability.md.
import { type ChildProcess, execSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { ensureBuild, nextBin, root, serverNodeFlags } from "../scripts/ensure-build.mjs";
import { freePort } from "../tests/helpers/server.ts";
import { intOpt } from "./options.ts";
import { type Attempt, type AttemptRow, fromRow, type StatusCounts } from "./soak-ledger.ts";
import { type LoadContext, rawEventLoop, rawTraceLoop } from "./soak-load.ts";
import { type Finding, reconcile } from "./soak-reconcile.ts";
import {
  cleanup,
  log,
  onCleanup,
  type Postgres,
  type RedisServer,
  run,
  type Supervised,
  sleep,
  startPostgres,
  startRedis,
  supervise,
  waitUntil,
} from "./soak-services.ts";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const QUICK = process.argv.includes("--quick");
const DURATION_S = intOpt(arg("duration"), QUICK ? 120 : 300, "--duration");
const SDK_CLIENTS = intOpt(arg("sdk-clients"), 2, "--sdk-clients");
const WORKERS = intOpt(arg("workers"), 2, "--workers");
/** Pause between chaos steps (the load runs on; the system should recover in it). */
const GAP_MS = QUICK ? 4_000 : 12_000;
/** Calm load before the first step and after the last. */
const CALM_MS = QUICK ? 8_000 : 20_000;
const DRAIN_MS = 300_000;
const API_KEY = `rl_soak_${Date.now().toString(36)}`;

// ---------------------------------------------------------------------------------------------
// The ledger of every send, by kind:id.

const ledger = new Map<string, Attempt[]>();
const statuses: StatusCounts = {};
/** Bodies of 5xx answers other than 503 (at most a few of each). */
const errorSamples: string[] = [];
function record(a: Attempt) {
  const key = `${a.kind}:${a.id}`;
  const list = ledger.get(key);
  if (list) list.push(a);
  else ledger.set(key, [a]);
}

// ---------------------------------------------------------------------------------------------
// Chaos: the steps, the times they ran, and what each did to the run.

type Ctx = { pg: Postgres; redis: RedisServer; web: Supervised; workers: Supervised[]; webUrl: string };
type ChaosRecord = { step: string; start: number; end: number };
const chaosDone: ChaosRecord[] = [];
let duplicateAll = false;

const webUp = (url: string) => async () => (await fetch(`${url}/api/health`).catch(() => null))?.ok === true;

const STEPS: { name: string; run: (c: Ctx) => Promise<void> }[] = [
  { name: "kill -9 worker", run: async (c) => c.workers[0].kill() },
  {
    name: "resend every batch while its first try is in flight (10 s)",
    run: async () => {
      duplicateAll = true;
      await sleep(10_000);
      duplicateAll = false;
    },
  },
  { name: "restart Redis (SIGKILL, append-only file)", run: (c) => c.redis.restart("SIGKILL") },
  { name: "restart Postgres -m fast", run: (c) => c.pg.restart("fast") },
  {
    name: "kill -9 web process",
    run: async (c) => {
      c.web.kill();
      await waitUntil("web process back", webUp(c.webUrl));
    },
  },
  {
    name: "fill Redis (maxmemory at its usage, 15 s)",
    run: async (c) => {
      const used = Number(/used_memory:(\d+)/.exec(String(await c.redis.admin.info("memory")))?.[1]);
      await c.redis.admin.config("SET", "maxmemory", String(used + 64 * 1024));
      try {
        await sleep(15_000);
      } finally {
        await c.redis.admin.config("SET", "maxmemory", "0");
      }
    },
  },
  { name: "restart Postgres -m immediate", run: (c) => c.pg.restart("immediate") },
  {
    name: "stop Postgres for 30 s",
    run: async (c) => {
      await c.pg.stop("fast");
      try {
        await sleep(30_000);
      } finally {
        await c.pg.start();
      }
    },
  },
  { name: "restart Redis (SIGTERM)", run: (c) => c.redis.restart("SIGTERM") },
  {
    name: "kill -9 both workers",
    run: async (c) => {
      for (const w of c.workers) w.kill();
    },
  },
];

async function chaos(c: Ctx, until: number) {
  await sleep(CALM_MS);
  // Every step at least once, however short the run: the load lasts until they are done.
  for (let i = 0; i < STEPS.length || Date.now() + GAP_MS < until; i++) {
    const step = STEPS[i % STEPS.length];
    const start = Date.now();
    log(`chaos: ${step.name}`);
    await step.run(c);
    chaosDone.push({ step: step.name, start, end: Date.now() });
    await sleep(GAP_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// Load: SDK child processes and raw loops in this process.

type SdkChild = { child: ChildProcess; done: Promise<unknown> };

function startSdkChild(i: number, url: string): SdkChild {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench/soak-sdk-client.ts")], {
    cwd: root,
    env: { ...process.env, SOAK_URL: url, SOAK_API_KEY: API_KEY, SOAK_CHILD: `sdk${i}` },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const done = new Promise((resolve) => {
    child.on("message", (m: { t: string; rows?: AttemptRow[] }) => {
      if (m.t === "attempts") for (const r of m.rows!) record(fromRow(r));
      if (m.t === "done") resolve(m);
    });
    child.once("exit", () => resolve(null));
  });
  onCleanup(`sdk child ${i}`, async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return { child, done };
}

// ---------------------------------------------------------------------------------------------
// After the load: everything up again, and the queue empty.

async function heal(c: Ctx) {
  if (!c.pg.running()) await c.pg.start();
  await c.redis.admin.config("SET", "maxmemory", "0");
  await waitUntil("web process healthy", webUp(c.webUrl));
}

async function drain(redisUrl: string): Promise<{ drained: boolean; failedJobs: number }> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue("ingest", { connection, prefix: "runlens" });
  try {
    const deadline = Date.now() + DRAIN_MS;
    let calm = 0;
    while (Date.now() < deadline) {
      const c = await queue.getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children");
      const pending = Object.values(c).reduce((a, b) => a + b, 0);
      calm = pending === 0 ? calm + 1 : 0;
      if (calm >= 3) return { drained: true, failedJobs: await queue.getFailedCount() };
      await sleep(1000);
    }
    return { drained: false, failedJobs: await queue.getFailedCount() };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------

function commit(): string {
  try {
    const dirty = execSync("git status --porcelain -- app lib scripts sdk/src prisma bench", { cwd: root })
      .toString()
      .trim();
    return execSync("git rev-parse --short HEAD", { cwd: root }).toString().trim() + (dirty ? "+dirty" : "");
  } catch {
    return "unknown";
  }
}

async function main() {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-soak-"));
  fs.chmodSync(dir, 0o755); // the postgres user reaches its cluster inside
  onCleanup("temp dir", async () => fs.rmSync(dir, { recursive: true, force: true }));
  log(`${DURATION_S} s of load, ${SDK_CLIENTS} SDK processes, ${WORKERS} worker processes, in ${dir}`);

  if (!ensureBuild((m: string) => log(m))) throw new Error("next build failed");
  const pg = await startPostgres(dir);
  await run("psql", [pg.url(), "-qc", "CREATE DATABASE runlens"]);
  const databaseUrl = pg.url("runlens");
  await run(process.execPath, ["--import", "tsx", "--import", "./scripts/server-only.mjs", "scripts/db-deploy.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  const redis = await startRedis(dir);
  log(`Postgres ${pg.url()} and Redis ${redis.url} (append-only) started; database migrated`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    RUNLENS_DATA_DIR: path.join(dir, "data"),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    RUNLENS_QUEUE_PREFIX: "runlens",
    RUNLENS_WORKER: "off",
    RUNLENS_INIT_EMAIL: "soak@example.com",
    RUNLENS_INIT_PASSWORD: "soak-password-1234",
    RUNLENS_INIT_API_KEY: API_KEY,
  };
  const port = await freePort();
  const webUrl = `http://127.0.0.1:${port}`;
  const web = supervise("web", [...serverNodeFlags, nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], env);
  await waitUntil("web process healthy", webUp(webUrl));
  const workers = Array.from({ length: WORKERS }, (_, i) =>
    supervise(`worker ${i}`, ["--import", "tsx", "--import", "./scripts/server-only.mjs", "scripts/worker.ts"], {
      ...env,
      RUNLENS_SUPERVISOR_PID: String(process.pid),
    }),
  );
  const c: Ctx = { pg, redis, web, workers, webUrl };
  log(`web ${webUrl} and ${WORKERS} workers up: load starts`);

  const loadStart = Date.now();
  const until = loadStart + DURATION_S * 1000;
  let stopping = false;
  const load: LoadContext = {
    url: () => webUrl,
    apiKey: API_KEY,
    record,
    statuses,
    stopping: () => stopping,
    errorSamples,
    duplicate: () => duplicateAll || Math.random() < 0.1,
  };
  const sdk = Array.from({ length: SDK_CLIENTS }, (_, i) => startSdkChild(i, webUrl));
  const raw = Promise.all([rawTraceLoop(load, 0), rawTraceLoop(load, 1), rawEventLoop(load, 0)]);
  const progress = setInterval(() => {
    const acked = [...ledger.values()].filter((l) => l.some((a) => a.acked)).length;
    log(`${ledger.size} ids sent, ${acked} acknowledged; answers ${JSON.stringify(statuses)}`);
  }, 15_000);
  await chaos(c, until - CALM_MS);
  await sleep(Math.max(CALM_MS, until - Date.now()));

  log("load stops: healing, then waiting for the clients to finish their sends");
  await heal(c);
  stopping = true;
  for (const s of sdk) s.child.send({ t: "stop" });
  const [sdkDone] = await Promise.all([Promise.all(sdk.map((s) => s.done)), raw]);
  clearInterval(progress);
  const loadEnd = Date.now();

  log("draining the queue");
  await heal(c);
  const { drained, failedJobs } = await drain(redis.url);
  const verdict = await reconcile(databaseUrl, ledger, { failedJobs });

  // Findings grouped by what they are and by the chaos step before their acknowledgement.
  const stepBefore = (t: number) => chaosDone.filter((s) => s.start <= t).at(-1)?.step ?? "before any chaos";
  const group = (list: Finding[]) => {
    const groups = new Map<
      string,
      { kind: string; stored: number | null; expected: number; after: string; count: number; ids: string[] }
    >();
    for (const f of list) {
      const after = stepBefore(f.ackedAt);
      const key = `${f.kind}|${f.stored}|${f.expected}|${after}`;
      const g = groups.get(key) ?? { kind: f.kind, stored: f.stored, expected: f.expected, after, count: 0, ids: [] };
      g.count++;
      if (g.ids.length < 5) g.ids.push(f.id);
      groups.set(key, g);
    }
    return [...groups.values()].sort((a, b) => b.count - a.count);
  };
  const crashes = [web, ...workers].flatMap((p) => p.unexpectedExits.map((e) => `${p.name}: ${e}`));
  console.log(
    JSON.stringify(
      {
        details: {
          lost: group(verdict.lost),
          stale: group(verdict.stale),
          ambiguous: group(verdict.ambiguous),
          runningWithEndedRoot: verdict.runningWithEndedRoot.slice(0, 20),
          spanCountMismatches: verdict.spanCountMismatches.slice(0, 20),
          rollupMismatches: verdict.rollupMismatches.slice(0, 40),
          chaos: chaosDone.map((s) => ({
            step: s.step,
            at: new Date(s.start).toISOString(),
            seconds: Math.round((s.end - s.start) / 1000),
          })),
          serverErrors: errorSamples,
          crashes,
          sdk: sdkDone,
        },
      },
      null,
      2,
    ),
  );

  const summary = {
    commit: commit(),
    date: new Date(started).toISOString(),
    quick: QUICK,
    loadSeconds: Math.round((loadEnd - loadStart) / 1000),
    totalSeconds: Math.round((Date.now() - started) / 1000),
    acknowledged: verdict.acknowledged,
    sent: ledger.size,
    lost: verdict.lost.length,
    stale: verdict.stale.length,
    ambiguous: verdict.ambiguous.length,
    doubleCounted: verdict.doubleCounted,
    rollupMismatches: verdict.rollupMismatches.length,
    spanCountMismatches: verdict.spanCountMismatches.length,
    runningWithEndedRoot: verdict.runningWithEndedRoot.length,
    drained,
    failedJobs,
    ingestFailures: verdict.ingestFailures,
    chaosDone: chaosDone.length,
    processCrashes: crashes.length,
    answers: statuses,
  };
  const ok =
    drained &&
    summary.lost === 0 &&
    summary.stale === 0 &&
    summary.doubleCounted === 0 &&
    summary.rollupMismatches === 0 &&
    summary.spanCountMismatches === 0 &&
    summary.runningWithEndedRoot === 0;
  await cleanup();
  console.log(JSON.stringify({ ok, ...summary }));
  return ok;
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    console.error(`[soak] ${sig}: stopping everything it started…`);
    void cleanup().finally(() => process.exit(130));
  });
}
main().then(
  (ok) => process.exit(ok ? 0 : 1),
  async (e) => {
    console.error(`[soak] failed: ${(e as Error).stack ?? e}`);
    await cleanup();
    process.exit(2);
  },
);
