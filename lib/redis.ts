import "server-only";
import type { Redis, RedisOptions } from "ioredis";
import { readConfig } from "./config.ts";
import { logger } from "./log.ts";
import { processGlobal } from "./process-global.ts";
import { UnavailableError } from "./unavailable.ts";

type Holder = { client?: Redis; connecting?: Promise<Redis> };
const holder = processGlobal<Holder>("__runlensRedis", () => ({}));

/**
 * What a connection is for, which decides how it waits when Redis is slow or gone:
 * - `command`: requests wait for nothing. Commands fail at once while Redis is disconnected (no
 *   offline queue: a command queued during an outage would hold its request, and could run after
 *   its caller answered 503), commands in flight fail when the connection drops instead of being
 *   resent after a reconnect (`maxRetriesPerRequest: 0`), and each times out after
 *   RUNLENS_REDIS_TIMEOUT_MS.
 * - `worker`: BullMQ workers block on Redis by design and need `maxRetriesPerRequest: null` (BullMQ
 *   overrides anything else); they wait through outages and reconnect.
 * - `subscriber`: live pub/sub; subscriptions wait for a reconnection and are restored by ioredis.
 */
export type RedisRole = "command" | "worker" | "subscriber";

/** The ioredis options Runlens sets; BullMQ's Worker takes them as its `connection` too. */
type ConnectionSettings = Pick<
  RedisOptions,
  "connectionName" | "connectTimeout" | "enableOfflineQueue" | "commandTimeout" | "maxRetriesPerRequest"
> & { retryStrategy: (times: number) => number };

/** ioredis options for a connection of this role. */
export function redisOptions(role: RedisRole, name: string): ConnectionSettings {
  const { redisMs } = readConfig().timeouts;
  const common: ConnectionSettings = {
    connectionName: `runlens:${name}`,
    connectTimeout: redisMs,
    // Reconnect forever, at most every 2 s: an outage ends when Redis is back, not when we give up.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  };
  if (role !== "command") return { ...common, maxRetriesPerRequest: null };
  return { ...common, enableOfflineQueue: false, commandTimeout: redisMs, maxRetriesPerRequest: 0 };
}

/**
 * A new ioredis connection to REDIS_URL. A command connection is returned ready, or the call fails
 * with an UnavailableError (Redis refused or did not answer within RUNLENS_REDIS_TIMEOUT_MS), so
 * that BullMQ never starts on a connection that is not there and callers answer 503.
 */
export async function connectRedis(url: string, name: string, role: RedisRole = "command"): Promise<Redis> {
  const { Redis } = await import("ioredis");
  const client = new Redis(url, redisOptions(role, name));
  logErrors(client, name);
  if (role === "command") await readyOrFail(client, readConfig().timeouts.redisMs);
  return client;
}

/** ioredis reports each failed reconnect as an "error" event: one log line per outage, not per try. */
function logErrors(client: Redis, name: string): void {
  const log = logger(`redis:${name}`);
  let reported = false;
  client.on("error", (e: Error) => {
    if (!reported) log.error(`${e.message} (reconnecting)`);
    reported = true;
  });
  client.on("ready", () => {
    if (reported) log.info("reconnected");
    reported = false;
  });
}

function readyOrFail(client: Redis, ms: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      client.off("ready", onReady);
      client.off("error", onError);
      if (!error) return resolve();
      client.disconnect();
      reject(
        new UnavailableError({ service: "redis", reason: "unreachable" }, `Redis is not reachable: ${error.message}`),
      );
    };
    const onReady = () => settle();
    const onError = (e: Error) => settle(e);
    const timer = setTimeout(() => settle(new Error(`no answer within ${ms} ms`)), ms);
    client.once("ready", onReady);
    client.once("error", onError);
  });
}

/** The process-wide command connection, or null when REDIS_URL is unset (embedded mode). */
export async function getRedis(): Promise<Redis | null> {
  const url = readConfig().redisUrl;
  if (!url) return null;
  if (holder.client) return holder.client;
  holder.connecting ??= connectRedis(url, "main").then(
    (c) => {
      holder.client = c;
      return c;
    },
    (e) => {
      holder.connecting = undefined; // the next caller tries again
      throw e;
    },
  );
  return holder.connecting;
}

export async function closeRedis(): Promise<void> {
  const c = holder.client;
  holder.client = undefined;
  holder.connecting = undefined;
  if (c) await c.quit().catch(() => c.disconnect());
}
