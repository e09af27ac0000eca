import "server-only";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { logger } from "../log.ts";

/** Within `npm start`'s stop deadline (scripts/start.mjs); a batch cut short is written again later. */
const STOP_GRACE_MS = 8_000;
const log = logger("worker-process");

/**
 * Runs the ingest worker (`scripts/worker.ts`, what `npm run worker` runs; compiled with the build) as a child process of the
 * server with the server's environment. If it dies it is restarted with backoff (0.5 s doubling to
 * 30 s, reset after a minute of uptime); `close()` sends SIGTERM, which lets it finish its running
 * batches, and SIGKILL after 8 s. Queued batches are in Redis either way: nothing is lost.
 */
export function startWorkerProcess(): { close(): Promise<void>; pid(): number | null } {
  const script = path.join(/*turbopackIgnore: true*/ process.cwd(), "scripts/worker.ts");
  const serverOnly = path.join(/*turbopackIgnore: true*/ process.cwd(), "scripts/server-only.mjs");
  // Under `next start` (production), the worker compiled with the build (scripts/build-worker.mjs,
  // kept fresh by ensureBuild): plain `node`, no TypeScript compiled at run time. Elsewhere (tests
  // run from the sources), or without it (a bare `next build`), the sources through tsx.
  const compiled = path.join(/*turbopackIgnore: true*/ process.cwd(), ".next/runlens-worker/worker.mjs");
  const useCompiled = process.env.NODE_ENV === "production" && fs.existsSync(/*turbopackIgnore: true*/ compiled);
  const args = useCompiled ? [compiled] : ["--import", "tsx", "--import", serverOnly, script];
  let child: ChildProcess | null = null;
  let stopping = false;
  let failures = 0;
  let restart: NodeJS.Timeout | undefined;

  const start = () => {
    const startedAt = Date.now();
    const c = spawn(process.execPath, args, {
      cwd: process.cwd(),
      // The worker stops on its own when this process is gone, however it died (scripts/worker.ts).
      env: { ...process.env, RUNLENS_SUPERVISOR_PID: String(process.pid) },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child = c;
    c.on("error", (e) => log.error(e.message));
    c.on("exit", (code, signal) => {
      if (child === c) child = null;
      if (stopping) return;
      if (Date.now() - startedAt > 60_000) failures = 0;
      const delay = Math.min(30_000, 500 * 2 ** failures++);
      log.error(`exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      restart = setTimeout(start, delay);
    });
  };
  start();

  return {
    pid: () => child?.pid ?? null,
    async close() {
      stopping = true;
      clearTimeout(restart);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once("exit", resolve));
      c.kill("SIGTERM");
      const kill = setTimeout(() => c.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(kill);
    },
  };
}
