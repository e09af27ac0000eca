import path from "node:path";
import { parseByteSize } from "./format.ts";

/** Runtime settings, read from the environment once. Every variable is listed in the README. */
export type RunlensConfig = {
  databaseUrl: string | null;
  /**
   * Streaming replicas for the read-only paths (DATABASE_READ_URL, comma-separated; lib/db/replicas.ts):
   * a pool of `poolSize` connections each (RUNLENS_DB_READ_POOL_SIZE), skipped while more than
   * `maxLagMs` behind (RUNLENS_DB_READ_MAX_LAG_MS). Ignored without `databaseUrl`.
   */
  databaseRead: { urls: string[]; poolSize: number; maxLagMs: number };
  redisUrl: string | null;
  dataDir: string;
  /**
   * With Redis: "on" runs the ingest worker beside the web server (its own process on Postgres, so
   * both use a core; in-process on the embedded database, which one process owns), "inprocess"
   * always in the web process, "off" none (run `npm run worker` instead).
   */
  worker: "on" | "inprocess" | "off";
  workerConcurrency: number;
  /** Redis key prefix of the queues (separates installations or test runs sharing one Redis). */
  queuePrefix: string;
  maxPayloadChars: number;
  /**
   * RUNLENS_STORAGE_BUDGET (`50GB`, `500MB`, bytes): what the whole database may take; null: no
   * budget. Settings › Data warns from 80% on; a workspace may have its own budget as well.
   */
  storageBudgetBytes: number | null;
  /** Bounds on every wait for Postgres and Redis, so an outage answers 503 instead of hanging. */
  timeouts: {
    /** Opening a Postgres connection (RUNLENS_DB_CONNECT_TIMEOUT_MS). */
    dbConnectMs: number;
    /** One Postgres statement, checked by the client and by the server (RUNLENS_DB_QUERY_TIMEOUT_MS). */
    dbQueryMs: number;
    /** Connecting to Redis and one Redis command (RUNLENS_REDIS_TIMEOUT_MS). */
    redisMs: number;
  };
  /**
   * API keys and workspace settings read at ingest are cached per process: reused for `freshMs`
   * (so a revocation elsewhere takes effect within it), and up to `staleMs` while Postgres is
   * unreachable, so ingest keeps accepting into Redis through a database outage.
   */
  settingsCache: { freshMs: number; staleMs: number };
  publicUrl: string | null;
  secret: string | null;
  init: { email: string; password: string; workspace: string; apiKey: string | null; name: string } | null;
  output: OutputSourceConfig;
};

/** Following an Output installation's remote tracing (docs/sources/output-live.md). */
export type OutputSourceConfig = {
  /** Output's Redis (OUTPUT_REDIS_URL), read only; null: live runs are not followed. */
  redisUrl: string | null;
  /** Workspace slug or id receiving Output runs; null: the only workspace, if there is exactly one. */
  workspace: string | null;
  redisPollMs: number;
  s3: {
    bucket: string;
    region: string;
    accessKeyId: string | null;
    secretAccessKey: string | null;
    /** S3-compatible endpoint (path-style addressing); null: AWS. */
    endpoint: string | null;
    pollMs: number;
  } | null;
};

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function byteSize(env: Env, name: string): number | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return null;
  const bytes = parseByteSize(raw);
  if (bytes === null)
    throw new Error(`${name} must be a size such as 50GB, 500MB, 2GiB or a number of bytes, got "${raw}"`);
  return bytes;
}

function readOutputConfig(env: Env): OutputSourceConfig {
  const bucket = env.OUTPUT_TRACE_REMOTE_S3_BUCKET?.trim();
  return {
    redisUrl: env.OUTPUT_REDIS_URL || null,
    workspace: env.OUTPUT_WORKSPACE?.trim() || null,
    redisPollMs: positiveInt(env, "OUTPUT_REDIS_POLL_MS", 2000),
    s3: bucket
      ? {
          bucket,
          region: env.OUTPUT_AWS_REGION || "us-east-1",
          accessKeyId: env.OUTPUT_AWS_ACCESS_KEY_ID || null,
          secretAccessKey: env.OUTPUT_AWS_SECRET_ACCESS_KEY || null,
          endpoint: env.OUTPUT_AWS_ENDPOINT || null,
          pollMs: positiveInt(env, "OUTPUT_S3_POLL_MS", 60_000),
        }
      : null,
  };
}

export function readConfig(env: Env = process.env): RunlensConfig {
  const email = env.RUNLENS_INIT_EMAIL?.trim();
  const password = env.RUNLENS_INIT_PASSWORD;
  return {
    databaseUrl: env.DATABASE_URL || null,
    databaseRead: {
      urls: (env.DATABASE_READ_URL ?? "")
        .split(",")
        .map((u) => u.trim())
        .filter(Boolean),
      poolSize: positiveInt(env, "RUNLENS_DB_READ_POOL_SIZE", 4),
      maxLagMs: positiveInt(env, "RUNLENS_DB_READ_MAX_LAG_MS", 10_000),
    },
    redisUrl: env.REDIS_URL || null,
    dataDir: path.resolve(/*turbopackIgnore: true*/ env.RUNLENS_DATA_DIR || ".data"),
    worker: env.RUNLENS_WORKER === "off" ? "off" : env.RUNLENS_WORKER === "inprocess" ? "inprocess" : "on",
    workerConcurrency: positiveInt(env, "RUNLENS_WORKER_CONCURRENCY", 4),
    queuePrefix: env.RUNLENS_QUEUE_PREFIX || "runlens",
    maxPayloadChars: positiveInt(env, "RUNLENS_MAX_PAYLOAD_CHARS", 200_000),
    storageBudgetBytes: byteSize(env, "RUNLENS_STORAGE_BUDGET"),
    timeouts: {
      dbConnectMs: positiveInt(env, "RUNLENS_DB_CONNECT_TIMEOUT_MS", 5_000),
      dbQueryMs: positiveInt(env, "RUNLENS_DB_QUERY_TIMEOUT_MS", 60_000),
      redisMs: positiveInt(env, "RUNLENS_REDIS_TIMEOUT_MS", 5_000),
    },
    settingsCache: {
      freshMs: positiveInt(env, "RUNLENS_SETTINGS_FRESH_MS", 10_000),
      staleMs: positiveInt(env, "RUNLENS_SETTINGS_STALE_MS", 300_000),
    },
    publicUrl: env.RUNLENS_URL || null,
    secret: env.RUNLENS_SECRET || null,
    init:
      email && password
        ? {
            email,
            password,
            workspace: env.RUNLENS_INIT_WORKSPACE?.trim() || "Default",
            apiKey: env.RUNLENS_INIT_API_KEY || null,
            name: env.RUNLENS_INIT_NAME?.trim() || email.split("@")[0],
          }
        : null,
    output: readOutputConfig(env),
  };
}

export const VERSION = "0.1.0";
