import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { closeDb, installDb } from "@/lib/db";
import { type Db, openDatabase } from "@/lib/db/client";
import { closeLiveBus } from "@/lib/live";
import { closeQueues } from "@/lib/queue";
import { closeRedis } from "@/lib/redis";
import { drained, request } from "../helpers/app";
import { type OwnPostgres, type OwnRedis, startOwnPostgres, startOwnRedis } from "../helpers/services";
import { createKeyedWorkspace } from "../helpers/workspace";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BATCHES = 60;
const PER_BATCH = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// `npm run worker` against its own Postgres cluster and Redis, which the test restarts under it.
describe("a standalone ingest worker through database and Redis restarts", () => {
  let pg: OwnPostgres;
  let redis: OwnRedis;
  let db: Db;
  let worker: ChildProcess;
  let workerLog = "";
  const env: Record<string, string> = {
    RUNLENS_QUEUE_PREFIX: `rl-wres-${randomBytes(4).toString("hex")}`,
    RUNLENS_DB_CONNECT_TIMEOUT_MS: "1000",
    RUNLENS_DB_QUERY_TIMEOUT_MS: "5000",
    RUNLENS_REDIS_TIMEOUT_MS: "1000",
  };
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    pg = await startOwnPostgres();
    redis = await startOwnRedis({ persistent: true });
    env.REDIS_URL = redis.url;
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    db = await openDatabase({ kind: "postgres", url: pg.url(), migrate: "apply", poolSize: 5 });
    installDb(db);
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker.once("exit", r));
      worker.kill("SIGTERM");
      await exited;
    }
    await closeQueues();
    await closeLiveBus();
    await closeRedis();
    await closeDb().catch(() => undefined);
    await redis?.destroy();
    pg?.destroy();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const spanCount = () => db.prisma.span.count();
  async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 90_000) {
    const end = Date.now() + timeoutMs;
    while (!(await fn().catch(() => false))) {
      if (worker && (worker.exitCode !== null || worker.signalCode !== null))
        throw new Error(
          `the worker exited (${worker.exitCode ?? worker.signalCode}) while waiting for ${what}:\n${workerLog}`,
        );
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${workerLog}`);
      await sleep(50);
    }
  }

  it("survives a Postgres immediate restart and a Redis restart, and stores every batch exactly once", async () => {
    const { apiKey } = await createKeyedWorkspace(db);
    const send = async (b: number) => {
      const traces = Array.from({ length: PER_BATCH }, (_, i) => ({
        id: `b${b}-s${i}`,
        executionId: `exec-${b % 6}`,
        type: "log",
        name: `span ${i}`,
        startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, b, i)).toISOString(),
        input: { payload: "x".repeat(500) },
      }));
      // As a client does: a 503 (Redis reconnecting) is sent again.
      await until(`batch ${b} to be accepted`, async () => {
        const res = await postTraces(
          request("/api/v1/runtime/v1/observability/traces", { body: { traces }, bearer: apiKey }),
        );
        return res.status === 207 && (await res.json()).accepted === PER_BATCH;
      });
    };
    for (let b = 0; b < BATCHES; b++) await send(b);

    worker = spawn(
      process.execPath,
      ["--import", "tsx", "--import", "./scripts/server-only.mjs", "scripts/worker.ts"],
      {
        cwd: ROOT,
        env: { ...process.env, ...env, DATABASE_URL: pg.url(), RUNLENS_WORKER_CONCURRENCY: "4" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    worker.stdout!.on("data", (d) => (workerLog += d));
    worker.stderr!.on("data", (d) => (workerLog += d));

    // Mid-stream: every connection of the worker, idle or inside a transaction, is cut at once.
    await until("the worker to write", async () => (await spanCount()) > PER_BATCH);
    pg.restart("immediate");
    await until("the worker to write after the restart", async () => (await spanCount()) >= (BATCHES / 2) * PER_BATCH);

    // Redis goes away and comes back (persistent: the queue survives); more batches arrive after.
    await redis.stop();
    await sleep(1000);
    await redis.start();
    for (let b = BATCHES; b < BATCHES + 10; b++) await send(b);

    await until("every batch to be stored", async () => (await spanCount()) === (BATCHES + 10) * PER_BATCH);
    await drained(30_000);
    expect(await spanCount()).toBe((BATCHES + 10) * PER_BATCH);
    expect(worker.exitCode).toBeNull();
    expect(worker.signalCode).toBeNull();
  }, 240_000);
});
