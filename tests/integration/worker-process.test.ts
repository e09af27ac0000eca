import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestTraces } from "@/lib/ingest/sources/sdk/receive";
import { startWorkerProcess } from "@/lib/server/worker-process";
import { withAppDb } from "../helpers/app";
import { redisUrl } from "../helpers/db";
import { createKeyedWorkspace } from "../helpers/workspace";

/** Running (an exited process whose parent is gone may linger as a zombie until init reaps it). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};
async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// npm start on Postgres + Redis runs the ingest worker as a supervised child process: it writes the
// queued batches, comes back after a crash, and stops with the server.
describe.skipIf(!redisUrl || !process.env.TEST_DATABASE_URL)("ingest worker child process", () => {
  const app = withAppDb({ worker: false });
  let worker: ReturnType<typeof startWorkerProcess>;
  let workspaceId = "";
  const saved = { DATABASE_URL: process.env.DATABASE_URL };

  beforeAll(async () => {
    ({ workspaceId } = await createKeyedWorkspace(app.db()));
    process.env.DATABASE_URL = app.db().url!; // the child gets the server's environment
    worker = startWorkerProcess();
  });
  afterAll(async () => {
    await worker?.close();
    process.env.DATABASE_URL = saved.DATABASE_URL;
  });

  const send = (id: string) =>
    ingestTraces(app.db(), workspaceId, [
      { id, executionId: id, type: "agent_execution", name: id, startedAt: new Date().toISOString() },
    ]);
  const stored = (id: string) =>
    until(`span ${id}`, async () => (await app.db().prisma.span.count({ where: { workspaceId, id } })) === 1);

  it("writes queued batches, is restarted after a crash, and stops with close()", async () => {
    await send("before-crash");
    await stored("before-crash");

    const first = worker.pid()!;
    process.kill(first, "SIGKILL");
    const second = await until("a new worker process", async () => {
      const pid = worker.pid();
      return pid && pid !== first ? pid : null;
    });
    await send("after-crash");
    await stored("after-crash");

    await worker.close();
    expect(alive(second)).toBe(false);
    expect(worker.pid()).toBeNull();
  }, 120_000);

  it("stops when the server process is killed outright (SIGKILL)", async () => {
    const server = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--import",
        "./scripts/server-only.mjs",
        "-e",
        `import("./lib/server/worker-process.ts").then(({ startWorkerProcess }) => {
           const w = startWorkerProcess();
           setInterval(() => w.pid() && console.log("worker-pid " + w.pid()), 100);
         });`,
      ],
      { cwd: process.cwd(), env: process.env, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    server.stdout!.on("data", (d) => (out += d));
    const pid = await until("the worker's pid", async () => Number(/worker-pid (\d+)/.exec(out)?.[1]) || null);
    expect(alive(pid)).toBe(true);
    server.kill("SIGKILL");
    await until("the orphaned worker to stop", async () => !alive(pid), 30_000).catch((e) => {
      throw new Error(`${e.message}; output:\n${out}`);
    });
  }, 120_000);
});
