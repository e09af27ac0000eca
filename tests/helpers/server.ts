import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ensureBuild, nextBin, root, serverNodeFlags } from "../../scripts/ensure-build.mjs";

/** A free TCP port on the loopback address. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export type RunningServer = {
  url: string;
  apiKey: string;
  /** The embedded data directory (RUNLENS_DATA_DIR) of this server. */
  dataDir: string;
  /** Sends SIGTERM and resolves with the exit code, keeping the data directory. */
  terminate(): Promise<number | null>;
  /** Terminates and removes the data directory. */
  stop(): Promise<void>;
  output: () => string;
};

/**
 * Starts the real portal (`next start` on the production build, rebuilt when stale) with its
 * own embedded data directory, or on `databaseUrl` when given, bootstrapped with an API key.
 */
export async function startPortal(
  opts: { databaseUrl?: string | null; env?: Record<string, string>; nodeFlags?: string[] } = {},
): Promise<RunningServer> {
  if (!ensureBuild(() => undefined)) throw new Error("next build failed");
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-server-"));
  const apiKey = `rl_server_test_${port}_${Date.now()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    RUNLENS_DATA_DIR: dataDir,
    DATABASE_URL: opts.databaseUrl ?? "",
    RUNLENS_INIT_EMAIL: "owner@example.com",
    RUNLENS_INIT_PASSWORD: "server-test-password",
    RUNLENS_INIT_API_KEY: apiKey,
    ...opts.env,
  };
  let log = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [...serverNodeFlags, ...(opts.nodeFlags ?? []), nextBin, "start", "-H", "127.0.0.1", "-p", String(port)],
    {
      cwd: root,
      env,
    },
  );
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${log}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const terminate = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    return child.exitCode;
  };
  return {
    url,
    apiKey,
    dataDir,
    output: () => log,
    terminate,
    stop: async () => {
      await terminate();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
