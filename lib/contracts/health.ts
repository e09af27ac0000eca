import { z } from "zod";

/** What Redis says about keeping acknowledged batches (lib/server/redis-durability.ts). */
export const ZRedisDurability = z.object({
  appendonly: z.string().describe('CONFIG GET appendonly: "yes", "no" or "unknown" (CONFIG unavailable)'),
  appendfsync: z.string().describe('"always", "everysec", "no" or "unknown"'),
  maxmemoryPolicy: z.string().describe('"noeviction" keeps every key; anything else may evict queued batches'),
  durable: z
    .boolean()
    .nullable()
    .describe("true: acknowledged batches survive a Redis restart; false: they could be lost; null: unknown"),
  warnings: z.array(z.string()).describe("What to change, one sentence each; empty when durable"),
});
export type RedisDurability = z.infer<typeof ZRedisDurability>;

/** GET /api/health (API.md; fields beyond the contract's four are additions). */
export const ZHealth = z.object({
  status: z.enum(["ok", "degraded"]),
  db: z.enum(["embedded", "postgres"]),
  redis: z.enum(["disabled", "connected", "unavailable"]),
  version: z.string(),
  redisDurability: ZRedisDurability.optional().describe("With Redis configured and reachable"),
});
export type Health = z.infer<typeof ZHealth>;
