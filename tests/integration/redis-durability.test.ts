import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as getHealth } from "@/app/api/health/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { closeDb, installDb } from "@/lib/db";
import { ingestionStatus } from "@/lib/ingest/failures";
import { INGEST_QUEUE, startIngestWorker } from "@/lib/ingest/pipeline";
import { closeLiveBus } from "@/lib/live";
import { closeQueues, getQueue } from "@/lib/queue";
import { closeRedis } from "@/lib/redis";
import { checkHealth } from "@/lib/server/health";
import { warnIfRedisNotDurable } from "@/lib/server/redis-durability";
import { drained, request } from "../helpers/app";
import { createTestDb, type TestDb } from "../helpers/db";
import { type OwnRedis, type OwnRedisOptions, startOwnRedis } from "../helpers/services";
import { createKeyedWorkspace } from "../helpers/workspace";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Each test runs its own Redis (never the shared one); the database is the usual test database.
describe("Redis durability", () => {
  let db: TestDb;
  let redis: OwnRedis | null = null;
  const saved = { REDIS_URL: process.env.REDIS_URL, RUNLENS_QUEUE_PREFIX: process.env.RUNLENS_QUEUE_PREFIX };

  beforeAll(async () => {
    db = await createTestDb();
    installDb(db);
  });
  afterEach(async () => {
    await closeQueues();
    await closeLiveBus();
    await closeRedis();
    await redis?.destroy();
    redis = null;
  });
  afterAll(async () => {
    await db.drop();
    await closeDb().catch(() => undefined);
    process.env.REDIS_URL = saved.REDIS_URL;
    process.env.RUNLENS_QUEUE_PREFIX = saved.RUNLENS_QUEUE_PREFIX;
    if (saved.REDIS_URL === undefined) delete process.env.REDIS_URL;
    if (saved.RUNLENS_QUEUE_PREFIX === undefined) delete process.env.RUNLENS_QUEUE_PREFIX;
  });

  async function switchToOwnRedis(opts: OwnRedisOptions): Promise<OwnRedis> {
    redis = await startOwnRedis(opts);
    process.env.REDIS_URL = redis.url;
    process.env.RUNLENS_QUEUE_PREFIX = `rl-dur-${randomBytes(4).toString("hex")}`;
    return redis;
  }

  it("health and Settings › Ingestion warn when Redis would lose accepted batches on a restart", async () => {
    await switchToOwnRedis({ persistent: false });
    const res = await getHealth(request("/api/health"));
    expect(res.status).toBe(200); // it serves, only not durably
    const health = await res.json();
    expect(health).toMatchObject({ status: "ok", redis: "connected" });
    expect(health.redisDurability).toMatchObject({
      appendonly: "no",
      maxmemoryPolicy: "noeviction",
      durable: false,
      warnings: [expect.stringMatching(/appendonly yes/)],
    });

    const lines: string[] = [];
    await warnIfRedisNotDurable((l) => lines.push(l));
    expect(lines).toEqual([expect.stringMatching(/appendonly no/)]);

    const { workspaceId } = await createKeyedWorkspace(db);
    expect((await ingestionStatus(workspaceId)).redisDurability).toMatchObject({ durable: false });
  });

  it("a Redis that may evict keys is not durable either", async () => {
    await switchToOwnRedis({ persistent: true, args: ["--maxmemory-policy", "allkeys-lru"] });
    expect((await checkHealth()).redisDurability).toMatchObject({
      appendonly: "yes",
      maxmemoryPolicy: "allkeys-lru",
      durable: false,
      warnings: [expect.stringMatching(/noeviction/)],
    });
  });

  it("a persistent Redis is durable, and one whose CONFIG is disabled is unknown", async () => {
    await switchToOwnRedis({ persistent: true });
    expect((await checkHealth()).redisDurability).toEqual({
      appendonly: "yes",
      appendfsync: "everysec",
      maxmemoryPolicy: "noeviction",
      durable: true,
      warnings: [],
    });
    const lines: string[] = [];
    await warnIfRedisNotDurable((l) => lines.push(l));
    expect(lines).toEqual([]);
    await closeRedis();
    await redis!.destroy();

    await switchToOwnRedis({ persistent: true, args: ["--rename-command", "CONFIG", ""] });
    expect((await checkHealth()).redisDurability).toMatchObject({
      appendonly: "unknown",
      maxmemoryPolicy: "unknown",
      durable: null,
      warnings: [expect.stringMatching(/CONFIG GET/)],
    });
  });

  it("a persistent Redis restarted under ingest load, while the worker is behind, loses no accepted span", async () => {
    const own = await switchToOwnRedis({ persistent: true });
    const { apiKey, workspaceId } = await createKeyedWorkspace(db);
    const acknowledged: string[] = [];
    let batch = 0;
    let restarted = false;
    let refused = 0;
    const sender = async (until: () => boolean) => {
      while (!until()) {
        const b = batch++;
        const traces = Array.from({ length: 20 }, (_, i) => ({
          id: `b${b}-s${i}`,
          executionId: `exec-${b % 5}`,
          type: "log",
          name: `span ${i}`,
          startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, b * 20 + i)).toISOString(),
        }));
        const res = await postTraces(
          request("/api/v1/runtime/v1/observability/traces", { body: { traces }, bearer: apiKey }),
        );
        if (res.status === 207) {
          const body = await res.json();
          for (const r of body.results) if (r.status === 201) acknowledged.push(r.id);
        } else {
          expect(res.status).toBe(503); // the restart: not acknowledged, a client sends it again
          refused++;
          await sleep(50);
        }
      }
    };
    const load = Promise.all([0, 1, 2].map(() => sender(() => restarted && batch >= 120)));

    while (acknowledged.length < 40 * 20) await sleep(20);
    const queue = await getQueue(INGEST_QUEUE);
    expect(await queue.pendingCount()).toBeGreaterThan(0); // no worker yet: everything waits in Redis
    await own.stop();
    // Down until the load has met the outage (counted, not timed): then it comes back.
    while (refused === 0) await sleep(20);
    await own.start();
    restarted = true;
    await load;
    // The queue's connection reconnects by itself; until it has, commands are refused at once.
    for (;;) {
      try {
        await queue.pendingCount();
        break;
      } catch {
        await sleep(50);
      }
    }

    const worker = await startIngestWorker(2);
    try {
      await drained(120_000);
    } finally {
      await worker.close();
    }
    const stored = await db.prisma.span.findMany({ where: { workspaceId }, select: { id: true } });
    const storedIds = new Set(stored.map((s) => s.id));
    expect(acknowledged.length).toBeGreaterThan(40 * 20);
    expect(acknowledged.filter((id) => !storedIds.has(id))).toEqual([]);
  }, 180_000);
});
