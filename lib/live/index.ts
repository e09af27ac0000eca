import "server-only";
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import { readConfig } from "../config.ts";
import type { LiveNotice } from "../contracts/live.ts";
import { processGlobal } from "../process-global.ts";
import { connectRedis } from "../redis.ts";

export type { LiveNotice };
export type Unsubscribe = () => void;

/** Publish/subscribe of live notices: Redis pub/sub across processes, an in-process emitter otherwise. */
export interface LiveBus {
  publish(notice: LiveNotice): Promise<void>;
  subscribe(workspaceId: string, listener: (n: LiveNotice) => void): Unsubscribe;
  close(): Promise<void>;
}

const channel = (workspaceId: string) => `runlens:live:${workspaceId}`;

export class MemoryBus implements LiveBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  async publish(n: LiveNotice) {
    this.emitter.emit(channel(n.workspaceId), n);
  }
  subscribe(workspaceId: string, listener: (n: LiveNotice) => void): Unsubscribe {
    this.emitter.on(channel(workspaceId), listener);
    return () => this.emitter.off(channel(workspaceId), listener);
  }
  async close() {
    this.emitter.removeAllListeners();
  }
}

export class RedisBus implements LiveBus {
  private readonly local = new MemoryBus();
  private readonly counts = new Map<string, number>();

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
  ) {
    sub.on("message", (ch: string, raw: string) => {
      try {
        const n = JSON.parse(raw) as LiveNotice;
        if (ch === channel(n.workspaceId)) void this.local.publish(n);
      } catch {
        // not ours
      }
    });
  }

  static async open(url: string): Promise<RedisBus> {
    return new RedisBus(await connectRedis(url, "live:pub"), await connectRedis(url, "live:sub", "subscriber"));
  }

  async publish(n: LiveNotice) {
    await this.pub.publish(channel(n.workspaceId), JSON.stringify(n));
  }

  subscribe(workspaceId: string, listener: (n: LiveNotice) => void): Unsubscribe {
    const ch = channel(workspaceId);
    const count = this.counts.get(ch) ?? 0;
    this.counts.set(ch, count + 1);
    if (count === 0) void this.sub.subscribe(ch);
    const off = this.local.subscribe(workspaceId, listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      const left = (this.counts.get(ch) ?? 1) - 1;
      if (left <= 0) {
        this.counts.delete(ch);
        void this.sub.unsubscribe(ch);
      } else this.counts.set(ch, left);
    };
  }

  async close() {
    await this.local.close();
    await Promise.all([this.pub.quit(), this.sub.quit()].map((p) => p.catch(() => undefined)));
  }
}

type Holder = { bus?: Promise<LiveBus> };
const holder = processGlobal<Holder>("__runlensLive", () => ({}));

export function openBus(redisUrl: string | null): Promise<LiveBus> {
  return redisUrl ? RedisBus.open(redisUrl) : Promise.resolve(new MemoryBus());
}

/** The process-wide live bus (REDIS_URL decides the backend). */
export function getLiveBus(): Promise<LiveBus> {
  if (!holder.bus) {
    const opening = openBus(readConfig().redisUrl);
    // A bus that could not open (Redis down) is not kept: the next caller tries again.
    opening.catch(() => {
      if (holder.bus === opening) holder.bus = undefined;
    });
    holder.bus = opening;
  }
  return holder.bus;
}

export async function closeLiveBus(): Promise<void> {
  const b = holder.bus;
  holder.bus = undefined;
  if (b) await (await b).close();
}
