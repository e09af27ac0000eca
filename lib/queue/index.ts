import "server-only";
import { readConfig } from "../config.ts";
import { processGlobal } from "../process-global.ts";
import { MemoryQueue } from "./memory.ts";
import type { JobQueue, QueueOptions } from "./types.ts";

export type { FailedJob, JobQueue, QueueOptions } from "./types.ts";

type Holder = { queues: Map<string, Promise<JobQueue<unknown>>> };
const holder = processGlobal<Holder>("__runlensQueues", () => ({ queues: new Map() }));

/**
 * Opens a queue on Redis when `redisUrl` is given, in-process otherwise. BullMQ (and its Lua
 * scripts, msgpackr, cron parser) is loaded only by a process that has Redis: the embedded server
 * never loads it.
 */
export async function openQueue<T>(name: string, redisUrl: string | null, opts?: QueueOptions): Promise<JobQueue<T>> {
  if (!redisUrl) return new MemoryQueue<T>(name, opts);
  const { BullQueue } = await import("./bullmq.ts");
  return BullQueue.open<T>(name, redisUrl, opts);
}

/** The process-wide queue of this name (REDIS_URL decides the backend). */
export function getQueue<T>(name: string, opts?: QueueOptions): Promise<JobQueue<T>> {
  let q = holder.queues.get(name);
  if (!q) {
    const opening = openQueue<unknown>(name, readConfig().redisUrl, opts);
    // A queue that could not open (Redis down) is not kept: the next caller tries again.
    opening.catch(() => holder.queues.get(name) === opening && holder.queues.delete(name));
    holder.queues.set(name, opening);
    q = opening;
  }
  return q as Promise<JobQueue<T>>;
}

export async function closeQueues(): Promise<void> {
  const all = [...holder.queues.values()];
  holder.queues.clear();
  await Promise.all(all.map(async (q) => (await q).close()));
}
