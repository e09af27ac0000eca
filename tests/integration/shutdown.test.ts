import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureBuild, root } from "../../scripts/ensure-build.mjs";
import { createTestDb, redisUrl, testServerUrl } from "../helpers/db";
import { freePort } from "../helpers/server";

/** Running (an exited process whose parent is gone may linger as a zombie until init reaps it). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Every live process below `pid`, found through /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out.filter(alive);
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number, log: () => string) {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `npm start` as an operator runs it, with its output kept for failure messages. */
async function npmStart(
  env: Record<string, string>,
): Promise<{ npm: ChildProcess; tree: number[]; log: () => string }> {
  // npm start builds a stale build itself; building here keeps the wait below about starting.
  if (!ensureBuild(() => undefined)) throw new Error("next build failed");
  const port = await freePort();
  let out = "";
  const npm = spawn("npm", ["start"], {
    cwd: root,
    env: { ...process.env, PORT: String(port), NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  npm.stdout!.on("data", (d) => (out += d));
  npm.stderr!.on("data", (d) => (out += d));
  const log = () => out;
  await until(
    "the server to answer",
    async () => {
      if (npm.exitCode !== null) throw new Error(`npm start exited early:\n${out}`);
      return fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
    },
    120_000,
    log,
  );
  return { npm, tree: descendants(npm.pid!), log };
}

describe("npm start stops on SIGTERM", () => {
  it("embedded: every process of the tree exits and the data directory's lock is released", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-shutdown-"));
    try {
      const { npm, tree, log } = await npmStart({ RUNLENS_DATA_DIR: dataDir, DATABASE_URL: "", REDIS_URL: "" });
      expect(tree.length).toBeGreaterThanOrEqual(2); // npm's shell, start.mjs, the Next server
      expect(fs.existsSync(path.join(dataDir, "pglite.lock"))).toBe(true);

      npm.kill("SIGTERM");
      await until("every process to exit", () => [npm.pid!, ...tree].every((p) => !alive(p)), 30_000, log);
      expect(fs.existsSync(path.join(dataDir, "pglite.lock"))).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 600_000);

  it.skipIf(!testServerUrl() || !redisUrl)(
    "Postgres and Redis: the server and its ingest worker process exit",
    async () => {
      const db = await createTestDb();
      try {
        const { npm, tree, log } = await npmStart({
          DATABASE_URL: db.url!,
          RUNLENS_QUEUE_PREFIX: `rl-shutdown-${process.pid}`,
        });
        // The worker child is started with the server: wait until it is in the tree. Under npm start
        // it is the worker compiled with the build (scripts/build-worker.mjs), run by plain node.
        let all = tree;
        await until(
          "the worker process",
          () => {
            all = descendants(npm.pid!);
            return all.some((p) => commandLine(p).includes(".next/runlens-worker/worker.mjs"));
          },
          60_000,
          log,
        );
        npm.kill("SIGTERM");
        await until("every process to exit", () => [npm.pid!, ...all].every((p) => !alive(p)), 30_000, log);
      } finally {
        await db.drop();
      }
    },
    600_000,
  );
});
