// `npm run bench:memory [-- --postgres]`: resident memory of the portal's process tree, started the
// way `npm start` starts it (scripts/start.mjs: the production build, the server's node flags).
// Embedded by default (no DATABASE_URL/REDIS_URL, a temporary RUNLENS_DATA_DIR); `--postgres` on a
// fresh Postgres database with Redis (the worker then runs in a child process of the server).
// Readings: 60 s idle after start, then after creating the owner (first-run setup), loading the
// sample data (POST /api/v1/demo) and GETting every portal page and main API once. RSS is summed
// over the server process and its descendants from /proc (shared pages count in each process).
// The last line is a JSON object with the readings and the targets. See docs/performance.md.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { migratePostgres } from "../lib/db/client.ts";
import { ensureBuild, root } from "../scripts/ensure-build.mjs";
import { freePort } from "../tests/helpers/server.ts";
import { intOpt } from "./options.ts";
import { processTree } from "./proc-tree.ts";

const { values: args } = parseArgs({
  options: {
    postgres: { type: "boolean" },
    "idle-s": { type: "string" },
    "pg-url": { type: "string" },
    "redis-url": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(`npm run bench:memory -- [options]
  --postgres       Postgres mode (a fresh database, Redis, the worker child process) instead of embedded
  --idle-s N       seconds to wait idle after start before the first reading (default 60)
  --pg-url URL     admin URL of Postgres (default postgresql://postgres@127.0.0.1:5432/postgres, or BENCH_PG_URL)
  --redis-url URL  Redis (default redis://127.0.0.1:6379, or BENCH_REDIS_URL)`);
  process.exit(0);
}
const POSTGRES = !!args.postgres;
const IDLE_S = intOpt(args["idle-s"], 60, "--idle-s");
const PG_ADMIN_URL = args["pg-url"] ?? process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = args["redis-url"] ?? process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const TARGETS = { idle_mb: 400, after_pages_mb: 500 };
const RUN_ID = `${process.pid}_${Date.now().toString(36)}`;
const DB_NAME = `runlens_bench_memory_${process.pid}`;
const QUEUE_PREFIX = `runlens_bench_memory_${RUN_ID}`;

const log = (msg: string) => console.log(`[memory] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => Math.round(kb / 1024);

const cleanups: (() => Promise<void>)[] = [];
async function cleanup() {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (e) {
      console.error(`[memory] cleanup failed: ${(e as Error).message}`);
    }
  }
}
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => void cleanup().finally(() => process.exit(130)));

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** RSS (kB) and name of each process of the tree under `pid`. */
function treeRss(pid: number): { pid: number; name: string; rssKb: number }[] {
  const out: { pid: number; name: string; rssKb: number }[] = [];
  for (const p of processTree(pid)) {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, "utf8");
      const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").filter(Boolean);
      const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? "?";
      // A node process renamed by its title (next-server) has its title as argv[0].
      out.push({ pid: p, name: cmd[0]?.startsWith("next-") ? cmd[0] : `${name} ${cmd.at(-1) ?? ""}`, rssKb });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** The server process: start.mjs's child (next start). */
function serverPid(launcher: ChildProcess): number | null {
  const tree = processTree(launcher.pid!);
  return tree.length > 1 ? tree[1] : null;
}

function reading(label: string, launcher: ChildProcess) {
  const server = serverPid(launcher);
  if (!server) throw new Error("no server process under the launcher");
  const procs = treeRss(server);
  const launcherKb = treeRss(launcher.pid!)[0]?.rssKb ?? 0;
  const totalKb = procs.reduce((a, p) => a + p.rssKb, 0);
  log(
    `${label}: ${mb(totalKb)} MB RSS for the server's tree (${procs.map((p) => `${p.name} ${mb(p.rssKb)}`).join(", ")}); launcher (scripts/start.mjs) ${mb(launcherKb)} MB`,
  );
  return {
    total_mb: mb(totalKb),
    processes: procs.map((p) => ({ name: p.name, rss_mb: mb(p.rssKb) })),
    launcher_mb: mb(launcherKb),
  };
}

async function main() {
  const started = Date.now();
  if (!ensureBuild((m: string) => log(m))) throw new Error("next build failed");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-bench-memory-"));
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", RUNLENS_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  if (POSTGRES) {
    await adminQuery(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE "${DB_NAME}"`);
    cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`));
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${DB_NAME}`;
    await migratePostgres(u.toString());
    Object.assign(env, { DATABASE_URL: u.toString(), REDIS_URL, RUNLENS_QUEUE_PREFIX: QUEUE_PREFIX });
    cleanups.push(async () => {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
      try {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${QUEUE_PREFIX}:*`, "COUNT", 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== "0");
      } finally {
        redis.disconnect();
      }
    });
  }

  // npm start's way: scripts/start.mjs, which starts `next start` with the server's node flags.
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let out = "";
  const launcher = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: root,
    env: { ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (d: Buffer) => {
    out = (out + d).slice(-20_000);
  };
  launcher.stdout.on("data", keep);
  launcher.stderr.on("data", keep);
  cleanups.push(async () => {
    if (launcher.exitCode !== null || launcher.signalCode !== null) return;
    const exited = new Promise((r) => launcher.once("exit", r));
    launcher.kill("SIGTERM");
    if (!(await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]))) {
      for (const p of processTree(launcher.pid!).reverse()) process.kill(p, "SIGKILL");
    }
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (launcher.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start within 120 s:\n${out}`);
    await sleep(200);
  }
  log(`${POSTGRES ? "Postgres" : "embedded"} portal on ${base}; waiting ${IDLE_S} s idle`);
  await sleep(IDLE_S * 1000);
  const load1Idle = os.loadavg()[0];
  const idle = reading(`idle ${IDLE_S} s after start`, launcher);

  // The first-run setup creates the owner and the workspace and signs in.
  const origin = { origin: base };
  const setup = await fetch(`${base}/api/v1/setup`, {
    method: "POST",
    headers: { "content-type": "application/json", ...origin },
    body: JSON.stringify({
      name: "Owner",
      email: "owner@bench.test",
      password: "bench-password-1234",
      workspaceName: "Bench",
    }),
  });
  if (setup.status !== 201) throw new Error(`setup: HTTP ${setup.status} ${await setup.text()}`);
  const cookie = setup.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const headers = { cookie, ...origin };
  const t0 = Date.now();
  const demo = await fetch(`${base}/api/v1/demo`, { method: "POST", headers });
  if (demo.status !== 201) throw new Error(`demo: HTTP ${demo.status} ${await demo.text()}`);
  log(`sample data loaded in ${Date.now() - t0} ms: ${await demo.text()}`);

  const get = async (p: string) => {
    const res = await fetch(`${base}${p}`, { headers, redirect: "manual" });
    const body = await res.text();
    if (res.status >= 400) throw new Error(`GET ${p}: HTTP ${res.status} ${body.slice(0, 300)}`);
    return body;
  };
  const api = "/api/v1/runtime/v1/observability";
  const { executions } = JSON.parse(await get(`${api}/executions`)) as { executions: { id: string }[] };
  const { threads } = JSON.parse(await get(`${api}/threads`)) as { threads: { threadId: string }[] };
  const { reviews } = JSON.parse(await get("/api/v1/runtime/v1/reviews")) as { reviews: { id: string }[] };
  const { agents } = JSON.parse(await get("/api/v1/agents")) as { agents: { name: string }[] };
  const execId = executions[0]?.id;
  const threadId = threads[0]?.threadId;
  const reviewId = reviews[0]?.id;
  const agent = encodeURIComponent(agents[0]?.name ?? "support-bot");
  const pages = [
    "/",
    "/login",
    "/overview",
    "/executions",
    ...(execId ? [`/executions/${execId}`] : []),
    "/threads",
    ...(threadId ? [`/threads/${encodeURIComponent(threadId)}`] : []),
    "/metrics",
    "/reviews",
    ...(reviewId ? [`/reviews/${reviewId}`] : []),
    "/settings",
    "/settings/account",
    "/settings/api-keys",
    "/settings/ingestion",
    "/settings/members",
    "/settings/models",
    "/settings/redaction",
    "/settings/sources",
  ];
  const apis = [
    "/api/v1/me",
    "/api/v1/api-keys",
    "/api/v1/members",
    "/api/v1/invitations",
    "/api/v1/workspaces",
    "/api/v1/overview",
    "/api/v1/metrics/catalog",
    `/api/v1/metrics/cards?agent=${agent}`,
    "/api/v1/settings/ingestion",
    "/api/v1/settings/models",
    "/api/v1/settings/redaction",
    "/api/v1/settings/audit",
    "/api/v1/runtime/v1/reviews/stats",
    ...(execId
      ? [
          `${api}/executions/${execId}/details`,
          `/api/v1/observability/executions/${execId}`,
          `/api/v1/observability/executions/${execId}/outline`,
          `/api/v1/observability/executions/${execId}/chain`,
          `/api/v1/observability/executions/${execId}/messages`,
        ]
      : []),
    ...(threadId ? [`${api}/threads/${encodeURIComponent(threadId)}/messages`] : []),
  ];
  const failures: string[] = [];
  for (const p of [...pages, ...apis]) {
    try {
      await get(p);
    } catch (e) {
      failures.push((e as Error).message.slice(0, 200));
    }
  }
  log(
    `GET ${pages.length} pages and ${apis.length + 4} APIs${failures.length ? `; failed: ${failures.join(" | ")}` : ""}`,
  );
  await sleep(5_000); // let what the requests started (rollups, compaction) settle
  const after = reading("after sample data and every page", launcher);
  const load1After = os.loadavg()[0];
  return {
    bench: "memory",
    mode: POSTGRES ? "postgres" : "embedded",
    idle_mb: idle.total_mb,
    after_pages_mb: after.total_mb,
    targets: TARGETS,
    idle_ok: idle.total_mb < TARGETS.idle_mb,
    after_pages_ok: after.total_mb < TARGETS.after_pages_mb,
    idle_processes: idle.processes,
    after_processes: after.processes,
    launcher_mb: after.launcher_mb,
    idle_s: IDLE_S,
    pages: pages.length,
    apis: apis.length + 4, // and the four lists read above
    failed_requests: failures.length,
    load1_idle: Number(load1Idle.toFixed(2)),
    load1_after: Number(load1After.toFixed(2)),
    node: process.version,
    date: new Date().toISOString(),
    total_s: Math.round((Date.now() - started) / 1000),
  };
}

let code = 0;
let result: Awaited<ReturnType<typeof main>> | null = null;
try {
  result = await main();
} catch (e) {
  console.error(`[memory] failed: ${(e as Error).stack ?? e}`);
  code = 1;
} finally {
  await cleanup();
}
if (result) console.log(JSON.stringify(result));
process.exit(code);
