import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { type LiveNotice, type MemoryBus, openBus } from "@/lib/live";
import { openQueue } from "@/lib/queue";
import { redisUrl } from "../helpers/db";

const backends = [
  { name: "in-process", url: null as string | null },
  ...(redisUrl ? [{ name: "Redis", url: redisUrl }] : []),
];

async function until(check: () => Promise<boolean> | boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(backends)("job queue ($name)", ({ url }) => {
  const name = () => `test-${randomBytes(4).toString("hex")}`;

  it("runs every job once", async () => {
    const q = await openQueue<{ n: number }>(name(), url);
    const seen: number[] = [];
    const worker = q.startWorker(async ({ n }) => void seen.push(n), { concurrency: 4 });
    for (let n = 0; n < 50; n++) await q.enqueue({ n });
    await until(() => seen.length === 50);
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(await q.pendingCount()).toBe(0);
    await worker.close();
    await q.close();
  });

  it("retries with backoff, then keeps a failing job in the failed list until retried", async () => {
    const q = await openQueue<{ id: string }>(name(), url, { attempts: 3, backoffMs: 10 });
    let calls = 0;
    let healthy = false;
    const worker = q.startWorker(async () => {
      calls++;
      if (!healthy) throw new Error("database unavailable");
    });
    await q.enqueue({ id: "batch-1" });
    await until(async () => (await q.failedJobs()).length === 1);
    expect(calls).toBe(3);
    const [failed] = await q.failedJobs();
    expect(failed).toMatchObject({ data: { id: "batch-1" }, error: "database unavailable", attempts: 3 });

    healthy = true;
    expect(await q.retryFailed(failed.id)).toBe(true);
    await until(async () => (await q.failedJobs()).length === 0 && (await q.pendingCount()) === 0);
    expect(calls).toBe(4);
    expect(await q.retryFailed("no-such-job")).toBe(false);
    await worker.close();
    await q.close();
  });

  it("hands offloaded fields to the handler as enqueued, on the first try and on a retry", async () => {
    const queueName = name();
    const q = await openQueue<{ id: string; rows: string }>(queueName, url, { attempts: 1, backoffMs: 10 });
    const rows = JSON.stringify([{ text: 'quotes " and \\ backslashes', n: 1 }]).repeat(200);
    const seen: { id: string; rows: string }[] = [];
    let healthy = false;
    const worker = q.startWorker(async (data) => {
      seen.push(data);
      if (!healthy) throw new Error("database unavailable");
    });
    await q.enqueue({ id: "b1", rows }, { offload: ["rows"] });
    await until(async () => (await q.failedJobs()).length === 1);
    const [failed] = await q.failedJobs();
    if (url) expect(failed.data).not.toHaveProperty("rows"); // stored beside the job, not in it
    healthy = true;
    expect(await q.retryFailed(failed.id)).toBe(true);
    await until(async () => (await q.pendingCount()) === 0 && seen.length === 2);
    expect(seen).toEqual([
      { id: "b1", rows },
      { id: "b1", rows },
    ]);
    if (url) {
      // Deleted with the completed job.
      const redis = new Redis(url);
      await until(async () => (await redis.keys(`*:${queueName}:payload:*`)).length === 0);
      redis.disconnect();
    }
    await worker.close();
    await q.close();
  });

  it("counts one workspace's pending jobs among everyone's, up to a scan limit", async () => {
    const q = await openQueue<{ ws: string }>(name(), url);
    for (let n = 0; n < 7; n++) await q.enqueue({ ws: n % 3 === 0 ? "a" : "b" });
    expect(await q.pendingCount()).toBe(7);
    expect(await q.countPending((d) => d.ws === "a", 100)).toEqual({ count: 3, complete: true });
    expect(await q.countPending((d) => d.ws === "b", 100)).toEqual({ count: 4, complete: true });
    expect((await q.countPending((d) => d.ws === "b", 5)).complete).toBe(false);
    await q.close();
  });
});

describe.each(backends)("live bus ($name)", ({ url }) => {
  it("delivers a notice to subscribers of that workspace only, across bus instances", async () => {
    const publisher = await openBus(url);
    const subscriber = url ? await openBus(url) : (publisher as MemoryBus);
    const got: LiveNotice[] = [];
    const other: LiveNotice[] = [];
    const off = subscriber.subscribe("ws-a", (n) => got.push(n));
    const offOther = subscriber.subscribe("ws-b", (n) => other.push(n));
    // Redis SUBSCRIBE is asynchronous: publish until the subscription is live (not after a sleep).
    await until(async () => {
      await publisher.publish({ workspaceId: "ws-a", kind: "executions", ids: ["e1"], at: new Date().toISOString() });
      return got.length > 0;
    });
    expect(got[0]).toMatchObject({ workspaceId: "ws-a", kind: "executions", ids: ["e1"] });
    expect(other).toEqual([]);

    off();
    const delivered = got.length;
    await publisher.publish({ workspaceId: "ws-a", kind: "executions", at: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 150));
    expect(got).toHaveLength(delivered);
    offOther();
    await publisher.close();
    if (subscriber !== publisher) await subscriber.close();
  });
});
