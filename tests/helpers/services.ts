import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./server";

/**
 * Postgres and Redis instances of a test's own, on free ports in temporary directories, for tests
 * that stop, freeze, fill or restart them. They never touch the machine's shared services.
 */

function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => path.join(root, v, "bin")).find((d) => fs.existsSync(path.join(d, "pg_ctl")));
  if (!bin) throw new Error("Postgres server binaries not found under /usr/lib/postgresql");
  return bin;
}

/** Postgres refuses to run as root: as root, its commands run as the `postgres` user. */
function asPostgresUser(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
}

export type OwnPostgres = {
  port: number;
  /** A connection URL for `database` (default `postgres`). */
  url(database?: string): string;
  stop(mode?: "fast" | "immediate"): void;
  start(): void;
  restart(mode: "fast" | "immediate"): void;
  /** SIGSTOP the postmaster and every backend: connections stay open and nothing answers. */
  freeze(): void;
  thaw(): void;
  destroy(): void;
};

/** A cluster's control, once its data directory `data` (inside `dir`) exists. */
function ownCluster(bin: string, dir: string, data: string, port: number): OwnPostgres {
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const pgCtl = (...args: string[]) => runPostgresTool(bin, "pg_ctl", ["-D", data, "-w", "-t", "60", ...args]);
  const start = () => pgCtl("-o", options, "-l", path.join(dir, "log"), "start");
  const processes = () => {
    const postmaster = fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0].trim();
    const children = execFileSync("pgrep", ["-P", postmaster]).toString().trim().split("\n").filter(Boolean);
    return [postmaster, ...children];
  };
  start();
  return {
    port,
    url: (database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    start,
    stop: (mode = "fast") => pgCtl("-m", mode, "stop"),
    restart: (mode) => pgCtl("-m", mode, "-o", options, "-l", path.join(dir, "log"), "restart"),
    freeze: () => execFileSync("kill", ["-STOP", ...processes()]),
    thaw: () => execFileSync("kill", ["-CONT", ...processes()]),
    destroy: () => {
      try {
        execFileSync("kill", ["-CONT", ...processes()]);
      } catch {
        // not running
      }
      try {
        pgCtl("-m", "immediate", "stop");
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function runPostgresTool(bin: string, tool: string, args: string[]): void {
  const [cmd, argv] = asPostgresUser(path.join(bin, tool), args);
  execFileSync(cmd, argv, { stdio: "pipe" });
}

/** A temporary directory the Postgres tools may write (they run as `postgres` when we are root). */
function ownDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-own-pg-"));
  if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres", dir]);
  return dir;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = postgresBin();
  const port = await freePort();
  const dir = ownDir();
  const data = path.join(dir, "data");
  try {
    runPostgresTool(bin, "initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync"]);
    return ownCluster(bin, dir, data, port);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A hot standby of `primary` (one of `startOwnPostgres`): `pg_basebackup -R` (initdb's trust
 * rules allow replication from 127.0.0.1; `wal_level` is `replica` by default) into a second
 * cluster, started on its own port, streaming from the primary.
 */
export async function startOwnStandby(primary: OwnPostgres): Promise<OwnPostgres> {
  const bin = postgresBin();
  const port = await freePort();
  const dir = ownDir();
  const data = path.join(dir, "data");
  try {
    runPostgresTool(bin, "pg_basebackup", [
      ...["-D", data, "-h", "127.0.0.1", "-p", String(primary.port), "-U", "postgres"],
      ...["-R", "-X", "stream", "--checkpoint=fast", "--no-sync"],
    ]);
    return ownCluster(bin, dir, data, port);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export type OwnRedis = {
  port: number;
  url: string;
  /** Stops Redis as a service manager would (SIGTERM: an AOF is flushed) and waits for the exit. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
};

export type OwnRedisOptions = {
  /** `appendonly yes` with `appendfsync everysec` (what docs say production needs); else no persistence. */
  persistent?: boolean;
  maxmemory?: string;
  /** Extra `redis-server` arguments. */
  args?: string[];
};

export async function startOwnRedis(opts: OwnRedisOptions = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-own-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    opts.persistent ? "yes" : "no",
    "--appendfsync",
    "everysec",
    "--maxmemory-policy",
    "noeviction",
    ...(opts.maxmemory ? ["--maxmemory", opts.maxmemory] : []),
    ...(opts.args ?? []),
  ];
  let child: ChildProcess | null = null;
  const start = async () => {
    const c = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      c.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("Ready to accept connections")) resolve();
      });
      c.once("exit", (code) => reject(new Error(`redis-server exited (${code}):\n${out}`)));
    });
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    destroy: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
