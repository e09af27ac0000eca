import "server-only";
import type { Redis } from "ioredis";
import type { RedisDurability } from "../contracts/health.ts";
import { logger } from "../log.ts";
import { getRedis } from "../redis.ts";

export type { RedisDurability } from "../contracts/health.ts";

/**
 * With Redis, a 2xx from ingest means "persisted in Redis": the batch waits there for a worker. That
 * holds only if Redis keeps what it acknowledged across a restart (`appendonly yes`; snapshots alone
 * lose the writes since the last one) and never evicts a key to make room (`noeviction`; BullMQ
 * requires it too). `appendfsync no` leaves flushing to the OS: a machine crash loses the last
 * seconds. What Redis says about itself, read with CONFIG GET ("unknown" where CONFIG is disabled
 * or renamed, as on some managed services).
 */
export async function readRedisDurability(client: Redis): Promise<RedisDurability> {
  const [appendonly, appendfsync, maxmemoryPolicy] = await Promise.all(
    ["appendonly", "appendfsync", "maxmemory-policy"].map((name) => configValue(client, name)),
  );
  const warnings: string[] = [];
  if (appendonly === "no")
    warnings.push(
      "Redis runs without an append-only file (appendonly no): batches accepted but not yet written are lost when Redis restarts. Set appendonly yes and appendfsync everysec.",
    );
  else if (appendfsync === "no")
    warnings.push(
      "Redis leaves flushing its append-only file to the OS (appendfsync no): a machine crash loses the last seconds of accepted batches. Set appendfsync everysec.",
    );
  if (maxmemoryPolicy !== "unknown" && maxmemoryPolicy !== "noeviction")
    warnings.push(
      `Redis may evict keys when full (maxmemory-policy ${maxmemoryPolicy}): queued batches can disappear. Set maxmemory-policy noeviction.`,
    );
  const atRisk = warnings.length > 0;
  const unknown = [appendonly, appendfsync, maxmemoryPolicy].includes("unknown");
  if (unknown)
    warnings.push(
      "Redis does not allow reading its settings (CONFIG GET): make sure it runs with appendonly yes, appendfsync everysec and maxmemory-policy noeviction.",
    );
  return { appendonly, appendfsync, maxmemoryPolicy, durable: atRisk ? false : unknown ? null : true, warnings };
}

async function configValue(client: Redis, name: string): Promise<string> {
  try {
    const reply = (await client.config("GET", name)) as unknown as string[];
    return reply[1] ?? "unknown";
  } catch {
    return "unknown"; // CONFIG disabled, renamed or not permitted
  }
}

/** The process's Redis durability, or null without Redis (or when Redis cannot be reached now). */
export async function currentRedisDurability(): Promise<RedisDurability | null> {
  try {
    const client = await getRedis();
    return client ? await readRedisDurability(client) : null;
  } catch {
    return null;
  }
}

/** At start: say loudly when acknowledged batches could be lost. */
export async function warnIfRedisNotDurable(warn = (line: string) => logger("redis").warn(line)): Promise<void> {
  const d = await currentRedisDurability();
  if (!d || d.durable === true) return;
  for (const w of d.warnings) warn(w);
}
