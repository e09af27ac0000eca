import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { request, withAppDb } from "../helpers/app";
import { redisUrl, testServerUrl } from "../helpers/db";
import { createKeyedWorkspace } from "../helpers/workspace";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BATCHES = 40;
const PER_BATCH = 50;

// A separate worker process needs the shared services: real Postgres and Redis.
describe.skipIf(!redisUrl || !testServerUrl())("ingest worker crash", () => {
  const app = withAppDb({ worker: false });

  function startWorker(): ChildProcess {
    return spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/server-only.mjs", "scripts/worker.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: app.db().url!, RUNLENS_WORKER_CONCURRENCY: "1" },
      stdio: "ignore",
    });
  }
  const spanCount = () => app.db().prisma.span.count();

  it("a worker killed mid-stream loses nothing: the next one finishes every batch exactly once", async () => {
    const { apiKey } = await createKeyedWorkspace(app.db());
    for (let b = 0; b < BATCHES; b++) {
      const traces = Array.from({ length: PER_BATCH }, (_, i) => ({
        id: `b${b}-s${i}`,
        executionId: `exec-${b % 8}`,
        parentId: i === 0 ? null : `b${b}-s0`,
        type: i === 0 ? "custom_event" : "log",
        name: `span ${i}`,
        startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, b, i)).toISOString(),
        input: { payload: "x".repeat(200) },
      }));
      const res = await postTraces(
        request("/api/v1/runtime/v1/observability/traces", { body: { traces }, bearer: apiKey }),
      );
      expect((await res.json()).accepted).toBe(PER_BATCH);
    }
    expect(await spanCount()).toBe(0); // accepted into Redis, nothing written yet

    const first = startWorker();
    // Killed once it has written a batch, however long it takes to start (the test's own timeout bounds it).
    while ((await spanCount()) < PER_BATCH) await new Promise((r) => setTimeout(r, 20));
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const afterKill = await spanCount();
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(BATCHES * PER_BATCH);

    const second = startWorker();
    try {
      await app.drained(90_000);
      expect(await spanCount()).toBe(BATCHES * PER_BATCH);
      const executions = await app
        .db()
        .prisma.execution.findMany({ orderBy: { id: "asc" }, select: { id: true, spanCount: true } });
      expect(executions).toEqual(
        Array.from({ length: 8 }, (_, i) => ({ id: `exec-${i}`, spanCount: (BATCHES / 8) * PER_BATCH })),
      );
    } finally {
      second.kill("SIGTERM");
      await new Promise((r) => second.once("exit", r));
    }
  }, 150_000);
});
