import { readConfig, VERSION } from "../config.ts";
import { getDb } from "../db/index.ts";
import { getRedis } from "../redis.ts";

export type Health = {
  status: "ok" | "degraded";
  db: "embedded" | "postgres";
  redis: "disabled" | "connected" | "unavailable";
  version: string;
};

/** GET /api/health: the database answers a query, and Redis (when configured) answers PING. */
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
    console.error("[health] database check failed:", (e as Error).message);
  }
  let redis: Health["redis"] = "disabled";
  if (config.redisUrl) {
    try {
      const client = await getRedis();
      const pong = await Promise.race([
        client!.ping(),
        new Promise<string>((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000)),
      ]);
      redis = pong === "PONG" ? "connected" : "unavailable";
    } catch {
      redis = "unavailable";
    }
  }
  return { status: dbOk && redis !== "unavailable" ? "ok" : "degraded", db: dbKind, redis, version: VERSION };
}
