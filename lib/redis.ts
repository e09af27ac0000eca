import type { Redis } from "ioredis";
import { readConfig } from "./config.ts";
import { processGlobal } from "./process-global.ts";

type Holder = { client?: Redis; connecting?: Promise<Redis> };
const holder = processGlobal<Holder>("__runlensRedis", () => ({}));

/** A new ioredis connection to REDIS_URL (BullMQ needs `maxRetriesPerRequest: null` on its connections). */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const { Redis } = await import("ioredis");
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: `runlens:${name}`, lazyConnect: false });
}

/** The process-wide command connection, or null when REDIS_URL is unset (embedded mode). */
export async function getRedis(): Promise<Redis | null> {
  const url = readConfig().redisUrl;
  if (!url) return null;
  if (holder.client) return holder.client;
  holder.connecting ??= connectRedis(url, "main").then((c) => {
    holder.client = c;
    return c;
  });
  return holder.connecting;
}

export async function closeRedis(): Promise<void> {
  const c = holder.client;
  holder.client = undefined;
  holder.connecting = undefined;
  if (c) await c.quit().catch(() => c.disconnect());
}
