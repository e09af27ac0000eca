import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DATA_DIR, ROOT } from "./support/env.ts";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The server still holds this run's database here (Playwright stops its webServer only after the
 * global teardown). Stop it the way an operator would, with SIGTERM, so PGlite closes cleanly
 * before its directory goes away; the pid is the one the portal wrote into its lock file.
 */
async function stopServerOf(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = JSON.parse(fs.readFileSync(path.join(dataDir, "pglite.lock"), "utf8")).pid;
  } catch {
    return; // the server never opened the database, or already closed it
  }
  if (!Number.isInteger(pid) || !isAlive(pid)) return;
  process.kill(pid, "SIGTERM");
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

/** Removes every e2e data directory (this run's and any left by an interrupted run). */
export default async function globalTeardown(): Promise<void> {
  await stopServerOf(path.join(ROOT, DATA_DIR));
  const dataRoot = path.join(ROOT, ".data");
  if (!fs.existsSync(dataRoot)) return;
  for (const name of fs.readdirSync(dataRoot)) {
    if (name.startsWith("e2e-")) fs.rmSync(path.join(dataRoot, name), { recursive: true, force: true });
  }
}
