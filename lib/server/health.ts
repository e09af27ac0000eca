import "server-only";
import { readConfig, VERSION } from "../config.ts";
import type { Health } from "../contracts/health.ts";
import { getDb } from "../db/index.ts";
import { logger } from "../log.ts";
import { getRedis } from "../redis.ts";
import { readRedisDurability } from "./redis-durability.ts";

const log = logger("health");

export type { Health } from "../contracts/health.ts";

/**
 * GET /api/health: the database answers a query, and Redis (when configured) answers PING. With
 * Redis, `redisDurability` says whether acknowledged batches survive a Redis restart; a Redis that
 * could lose them is reported there (and warned about at start and in Settings › Ingestion) but
 * does not make the status degraded: it serves, only not durably.
 */
export async function checkHealth(): Promise<Health> {
  const config = readConfig();
  let dbKind: Health["db"] = config.databaseUrl ? "postgres" : "embedded";
  let dbOk = false;
  try {
    const db = await getDb();
    dbKind = db.kind;
    await db.prisma.$queryRawUnsafe("SELECT 1");
    dbOk = true;
  } catch (e) {
    log.error({ reason: (e as Error).message }, "database check failed");
  }
  let redis: Health["redis"] = "disabled";
  let redisDurability: Health["redisDurability"];
  if (config.redisUrl) {
    try {
      const client = (await getRedis())!;
      redis = (await client.ping()) === "PONG" ? "connected" : "unavailable";
      if (redis === "connected") redisDurability = await readRedisDurability(client);
    } catch {
      redis = "unavailable";
    }
  }
  return {
    status: dbOk && redis !== "unavailable" ? "ok" : "degraded",
    db: dbKind,
    redis,
    version: VERSION,
    ...(redisDurability && { redisDurability }),
  };
}
