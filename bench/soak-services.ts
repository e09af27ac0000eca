// The soak's own infrastructure (bench/soak.ts): a Postgres cluster and a persistent Redis on free
// ports in a temporary directory, and supervised Runlens processes. Never the machine's shared
// services: those may be serving other people's tests while the soak kills and restarts its own.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../tests/helpers/server.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const log = (msg: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}`);

// ---------------------------------------------------------------------------------------------
// Cleanup: every resource registers how to release it; released in reverse order, once.

const cleanups: { name: string; fn: () => Promise<void> }[] = [];
let cleaning: Promise<void> | null = null;
export function onCleanup(name: string, fn: () => Promise<void>) {
  cleanups.push({ name, fn });
}
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await Promise.race([
          c.fn(),
          sleep(30_000).then(() => {
            throw new Error("timed out after 30 s");
          }),
        ]);
      } catch (e) {
        console.error(`[soak] cleanup of ${c.name} failed: ${(e as Error).message}`);
      }
    }
  })();
  return cleaning;
}

/** Runs a command to its end; rejects with its output when it fails. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")}: ${code}\n${out}`)),
    );
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(signal);
  return Promise.race([exited, sleep(graceMs)]).then(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    return exited;
  });
}

/** Polls `fn` until it is true; throws naming `what` after `ms`. */
export async function waitUntil(what: string, fn: () => Promise<boolean>, ms = 180_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------------------------
// Postgres: initdb + pg_ctl. initdb refuses to run as root, so as root the cluster belongs to the
// postgres user and every pg_ctl runs through runuser.

const PG_BIN = process.env.SOAK_PG_BIN ?? "/usr/lib/postgresql/15/bin";

export type Postgres = {
  url: (db?: string) => string;
  restart(mode: "fast" | "immediate"): Promise<void>;
  stop(mode: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
};

export async function startPostgres(dir: string): Promise<Postgres> {
  const asRoot = process.getuid?.() === 0;
  const pgDir = path.join(dir, "pg");
  fs.mkdirSync(pgDir);
  if (asRoot) await run("chown", ["postgres:", pgDir]);
  const as = (bin: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", path.join(PG_BIN, bin), ...args])
      : run(path.join(PG_BIN, bin), args);
  const data = path.join(pgDir, "data");
  await as("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync"]);
  const port = await freePort();
  const opts = `-p ${port} -k ${pgDir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  const logFile = path.join(pgDir, "log");
  let up = false;
  const pgCtl = async (...args: string[]) => as("pg_ctl", ["-D", data, "-l", logFile, "-w", "-t", "120", ...args]);
  const pg: Postgres = {
    url: (db = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${db}`,
    running: () => up,
    start: async () => {
      await pgCtl("-o", opts, "start");
      up = true;
    },
    stop: async (mode) => {
      up = false;
      await pgCtl("-m", mode, "stop");
    },
    restart: async (mode) => {
      up = false;
      await pgCtl("-m", mode, "-o", opts, "restart");
      up = true;
    },
  };
  await pg.start();
  onCleanup("postgres", async () => {
    await pgCtl("-m", "immediate", "stop").catch(() => undefined);
  });
  return pg;
}

// ---------------------------------------------------------------------------------------------
// Redis: persistent (append-only file, fsync every second) and never evicting, as Runlens needs.

export type RedisServer = {
  url: string;
  admin: Redis;
  /** SIGKILL (or SIGTERM) and start again on the same port and directory. */
  restart(signal: NodeJS.Signals): Promise<void>;
};

export async function startRedis(dir: string): Promise<RedisServer> {
  const redisDir = path.join(dir, "redis");
  fs.mkdirSync(redisDir);
  const port = await freePort();
  // biome-ignore format: one option a line
  const args = [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", redisDir,
    "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction",
    "--save", "", "--logfile", path.join(redisDir, "log"),
  ];
  let child: ChildProcess;
  const admin = new Redis(port, "127.0.0.1", {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    retryStrategy: () => 200,
  });
  admin.on("error", () => undefined); // reconnects by itself across restarts
  const launch = async () => {
    child = spawn("redis-server", args, { stdio: "ignore" });
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: see ${redisDir}/log`);
      if ((await run("redis-cli", ["-p", String(port), "ping"]).catch(() => "")).trim() === "PONG") return;
      await sleep(100);
    }
  };
  await launch();
  await admin.connect();
  onCleanup("redis", async () => {
    admin.disconnect();
    await stopChild(child, "SIGKILL");
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    admin,
    restart: async (signal) => {
      await stopChild(child, signal);
      await launch();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Supervised processes: restarted when they exit while the soak runs (as a process manager would).

export type Supervised = {
  name: string;
  pid(): number | undefined;
  /** kill -9 (the supervisor starts it again). */
  kill(): void;
  restarts: number;
  /** Exits nobody asked for (a crash): each is a finding. */
  unexpectedExits: string[];
  output(): string;
  stop(): Promise<void>;
};

export function supervise(name: string, argv: string[], env: NodeJS.ProcessEnv): Supervised {
  let child: ChildProcess;
  let out = "";
  let stopping = false;
  let killedOnPurpose = false;
  const keep = (d: Buffer) => {
    out += d;
    if (out.length > 400_000) out = out.slice(-200_000);
  };
  const s = {
    name,
    restarts: 0,
    unexpectedExits: [] as string[],
    pid: () => child?.pid,
    output: () => out,
    kill: () => {
      killedOnPurpose = true;
      child.kill("SIGKILL");
    },
    stop: async () => {
      stopping = true;
      await stopChild(child);
    },
  };
  const launch = () => {
    killedOnPurpose = false;
    child = spawn(process.execPath, argv, {
      cwd: path.resolve(import.meta.dirname, ".."),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("exit", (code, signal) => {
      if (stopping) return;
      if (!killedOnPurpose) {
        // Its last words say why.
        const tail = out.trim().split("\n").slice(-6).join(" | ").slice(-1500);
        s.unexpectedExits.push(`${new Date().toISOString()} code ${code} signal ${signal}: ${tail}`);
        log(`${name} exited by itself (code ${code}, signal ${signal}): restarting`);
      }
      s.restarts++;
      setTimeout(launch, 1000);
    });
  };
  launch();
  onCleanup(name, () => s.stop());
  return s;
}
