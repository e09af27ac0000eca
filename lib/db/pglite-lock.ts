import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * PGlite has no cross-process locking: a second process writing the same directory silently loses
 * writes. A lock file beside the data directory makes the second opener stop with a clear message.
 */
export class DataDirLockedError extends Error {
  constructor(dir: string, holder: string) {
    super(
      `The embedded database in ${dir} is already open in another Runlens process (${holder}). ` +
        "Only one process may use an embedded data directory: stop the other server, or set RUNLENS_DATA_DIR " +
        "to another directory, or use Postgres (DATABASE_URL) to run several processes.",
    );
    this.name = "DataDirLockedError";
  }
}

type LockInfo = { pid: number; host: string; startedAt: string };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock for `dir` or throws DataDirLockedError; returns the release function. */
export function lockDataDir(dir: string): () => void {
  const lockPath = `${dir.replace(/\/+$/, "")}.lock`;
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  const me: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify(me), { flag: "wx" });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          const held = JSON.parse(fs.readFileSync(lockPath, "utf8")) as LockInfo;
          if (held.pid === me.pid && held.host === me.host) fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let held: LockInfo | null = null;
    try {
      held = JSON.parse(fs.readFileSync(lockPath, "utf8")) as LockInfo;
    } catch {
      held = null; // unreadable or half-written: treat as stale only if it stays so
    }
    const stale = held !== null && held.host === me.host && !isAlive(held.pid);
    if (!stale) {
      throw new DataDirLockedError(
        dir,
        held ? `pid ${held.pid} on ${held.host} since ${held.startedAt}` : `lock file ${lockPath}`,
      );
    }
    fs.rmSync(lockPath, { force: true });
  }
  throw new DataDirLockedError(dir, `lock file ${lockPath}`);
}
