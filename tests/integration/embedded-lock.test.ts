import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db/client";
import { DataDirLockedError } from "@/lib/db/pglite-lock";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Opens the embedded database in another process and keeps it open until killed. */
function holdInChild(dataDir: string) {
  const code = `import { openDatabase } from "./lib/db/client.ts";
    await openDatabase({ kind: "embedded", dataDir: ${JSON.stringify(dataDir)} });
    console.log("OPEN"); setInterval(() => {}, 1000);`;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--import", "./scripts/server-only.mjs", "--input-type=module", "-e", code],
    { cwd: ROOT },
  );
  const opened = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => String(d).includes("OPEN") && resolve());
    child.on("exit", (c) => reject(new Error(`child exited ${c}`)));
  });
  return { child, opened };
}

describe("embedded database directory", () => {
  it("refuses a second process with a clear message, and recovers the lock of a killed process", async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "runlens-lock-")), "pglite");
    const { child, opened } = holdInChild(dir);
    await opened;
    try {
      const err = await openDatabase({ kind: "embedded", dataDir: dir }).catch((e) => e);
      expect(err).toBeInstanceOf(DataDirLockedError);
      expect(err.message).toContain("already open in another Runlens process");
      expect(err.message).toContain(`pid ${child.pid}`);
    } finally {
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
    }
    // The holder died without releasing: its stale lock is taken over, and the data is intact.
    const db = await openDatabase({ kind: "embedded", dataDir: dir });
    expect(await db.prisma.user.count()).toBe(0);
    await db.close();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
  }, 180_000);
});
