import path from "node:path";

/** Runtime settings, read from the environment once. Every variable is listed in the README. */
export type RunlensConfig = {
  databaseUrl: string | null;
  redisUrl: string | null;
  dataDir: string;
  worker: "on" | "off";
  workerConcurrency: number;
  /** Redis key prefix of the queues (separates installations or test runs sharing one Redis). */
  queuePrefix: string;
  maxPayloadChars: number;
  publicUrl: string | null;
  secret: string | null;
  init: { email: string; password: string; workspace: string; apiKey: string | null; name: string } | null;
};

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

export function readConfig(env: Env = process.env): RunlensConfig {
  const email = env.RUNLENS_INIT_EMAIL?.trim();
  const password = env.RUNLENS_INIT_PASSWORD;
  return {
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    dataDir: path.resolve(/*turbopackIgnore: true*/ env.RUNLENS_DATA_DIR || ".data"),
    worker: env.RUNLENS_WORKER === "off" ? "off" : "on",
    workerConcurrency: positiveInt(env, "RUNLENS_WORKER_CONCURRENCY", 4),
    queuePrefix: env.RUNLENS_QUEUE_PREFIX || "runlens",
    maxPayloadChars: positiveInt(env, "RUNLENS_MAX_PAYLOAD_CHARS", 200_000),
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
  };
}

export const VERSION = "0.1.0";
