import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postOtlpLogs } from "@/app/api/otel/v1/logs/route";
import { POST as postOtlp } from "@/app/api/otel/v1/traces/route";
import { GET as listExecutions } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { resetAuth } from "@/lib/auth/better-auth";
import { hashSecret } from "@/lib/auth/tokens";
import { closeDb, installDb } from "@/lib/db";
import { type Db, openDatabase } from "@/lib/db/client";
import { INGEST_QUEUE, startIngestWorker } from "@/lib/ingest/pipeline";
import { closeLiveBus } from "@/lib/live";
import { closeQueues, getQueue } from "@/lib/queue";
import { closeRedis } from "@/lib/redis";
import { setRedactionKeys } from "@/lib/workspaces/service";
import { drained, request } from "../helpers/app";
import { type OwnPostgres, type OwnRedis, startOwnPostgres, startOwnRedis } from "../helpers/services";
import { createKeyedWorkspace } from "../helpers/workspace";

const TRACES = "/api/v1/runtime/v1/observability/traces";
const EXECUTIONS = "/api/v1/runtime/v1/observability/executions";
/** Short bounds, so that outages show within a test (production defaults are seconds to a minute). */
const ENV = {
  RUNLENS_DB_CONNECT_TIMEOUT_MS: "1000",
  RUNLENS_DB_QUERY_TIMEOUT_MS: "1500",
  RUNLENS_REDIS_TIMEOUT_MS: "1000",
  RUNLENS_SETTINGS_FRESH_MS: "300",
};

const span = (id: string, input: unknown = { text: id }) => ({
  id,
  executionId: `exec-${id}`,
  type: "agent_execution",
  name: id,
  startedAt: new Date().toISOString(),
  input,
});
const OTLP_EXPORT = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: "0af7651916cd43dd8448eb211c80319c",
              spanId: "b7ad6b7169203331",
              name: "otlp-during-outage",
              startTimeUnixNano: "1767225600000000000",
              endTimeUnixNano: "1767225601000000000",
            },
          ],
        },
      ],
    },
  ],
};
const OTLP_LOGS = {
  resourceLogs: [
    {
      scopeLogs: [
        {
          logRecords: [
            {
              traceId: "0af7651916cd43dd8448eb211c80319c",
              spanId: "b7ad6b7169203331",
              timeUnixNano: "1767225600500000000",
              body: { stringValue: "log during outage" },
            },
          ],
        },
      ],
    },
  ],
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// Stops, freezes and fills its own Postgres cluster and Redis (never the shared ones), with the
// ingest worker in this process.
describe("ingest through Postgres and Redis outages", () => {
  let pg: OwnPostgres;
  let redis: OwnRedis;
  let db: Db;
  let worker: { close(): Promise<void> };
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    pg = await startOwnPostgres();
    redis = await startOwnRedis({ persistent: true, maxmemory: "64mb" });
    const env = { ...ENV, REDIS_URL: redis.url, RUNLENS_QUEUE_PREFIX: `rl-res-${randomBytes(4).toString("hex")}` };
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    db = await openDatabase({ kind: "postgres", url: pg.url(), migrate: "apply", poolSize: 5 });
    installDb(db);
    resetAuth();
    // One attempt per job: a job that met the outage must not have spent it.
    await getQueue(INGEST_QUEUE, { attempts: 1 });
    worker = await startIngestWorker(2);
  });

  afterAll(async () => {
    await worker?.close();
    await closeQueues();
    await closeLiveBus();
    await closeRedis();
    await closeDb().catch(() => undefined);
    await redis?.destroy();
    pg?.destroy();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const send = (bearer: string, traces: unknown[]) => postTraces(request(TRACES, { body: { traces }, bearer }));

  it("a request against a frozen database fails with 503 and Retry-After, and the next one succeeds once it thaws", async () => {
    const { apiKey } = await createKeyedWorkspace(db, "Frozen");
    pg.freeze();
    let res: Response;
    try {
      res = await listExecutions(request(EXECUTIONS, { bearer: apiKey }));
    } finally {
      pg.thaw();
    }
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await res.json()).error).toMatchObject({ code: "unavailable" });

    await until("the database to answer again", async () => {
      const again = await listExecutions(request(EXECUTIONS, { bearer: apiKey }));
      return again.status === 200;
    });
  }, 60_000);

  it("with Postgres stopped, ingest accepts into Redis with the cached key and redaction rules; the worker stores it when Postgres is back", async () => {
    const { apiKey, workspaceId } = await createKeyedWorkspace(db, "Outage");
    await setRedactionKeys(db, workspaceId, ["password"]);
    expect((await send(apiKey, [span("before")])).status).toBe(207);
    await drained();

    pg.stop("fast");
    try {
      await sleep(Number(ENV.RUNLENS_SETTINGS_FRESH_MS) * 2); // past freshness: served stale only because Postgres is down
      const res = await send(apiKey, [span("during-1", { password: "hunter2", q: "hi" }), span("during-2")]);
      expect(res.status).toBe(207);
      expect(await res.json()).toMatchObject({ accepted: 2, rejected: 0 });
      // A key this process never saw cannot be checked: 503, not 401.
      const unknown = await send(`rl_never_seen_${randomBytes(8).toString("hex")}`, [span("x")]);
      expect(unknown.status).toBe(503);
      expect(unknown.headers.get("retry-after")).toMatch(/^\d+$/);
      await sleep(1500); // the worker meets the outage with these batches
    } finally {
      pg.start();
    }

    await drained(60_000);
    const stored = await db.prisma.span.findMany({
      where: { workspaceId, id: { in: ["during-1", "during-2"] } },
      orderBy: { id: "asc" },
      select: { id: true, input: true },
    });
    expect(stored.map((s) => s.id)).toEqual(["during-1", "during-2"]);
    expect(stored[0].input).toEqual({ password: "[REDACTED]", q: "hi" });
  }, 120_000);

  it("a key revoked by another process stops working within the freshness window", async () => {
    const { apiKey } = await createKeyedWorkspace(db, "Revoked");
    expect((await send(apiKey, [span("r1")])).status).toBe(207);
    // As another web process would: straight in the database, this process's cache untouched.
    await db.prisma.apiKey.update({ where: { secretHash: hashSecret(apiKey) }, data: { revokedAt: new Date() } });
    await sleep(Number(ENV.RUNLENS_SETTINGS_FRESH_MS) * 2);
    expect((await send(apiKey, [span("r2")])).status).toBe(401);

    // Its refusal is cached as well: still 401 (not 503) while Postgres is down.
    pg.stop("fast");
    try {
      await sleep(Number(ENV.RUNLENS_SETTINGS_FRESH_MS) * 2);
      expect((await send(apiKey, [span("r3")])).status).toBe(401);
    } finally {
      pg.start();
    }
  }, 60_000);

  it("a full Redis answers 503 with Retry-After, and ingest resumes once there is room", async () => {
    const { apiKey, workspaceId } = await createKeyedWorkspace(db, "Full");
    const { Redis } = await import("ioredis");
    const admin = new Redis(redis.url);
    // Full: more memory in use than maxmemory allows, with noeviction (startOwnRedis) Redis refuses writes.
    await admin.config("SET", "maxmemory", "1");
    try {
      const res = await send(apiKey, [span("full-1")]);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((await res.json()).error).toMatchObject({ code: "unavailable", message: expect.stringMatching(/full/) });
    } finally {
      await admin.config("SET", "maxmemory", "64mb");
      admin.disconnect();
    }
    expect((await send(apiKey, [span("full-2")])).status).toBe(207);
    await drained(60_000);
    expect(await db.prisma.span.count({ where: { workspaceId, id: "full-2" } })).toBe(1);
  }, 60_000);

  it("with Redis down, ingest answers 503 with Retry-After instead of waiting for it", async () => {
    const { apiKey } = await createKeyedWorkspace(db, "No Redis");
    expect((await send(apiKey, [span("nr-1")])).status).toBe(207);
    await redis.stop();
    try {
      const res = await send(apiKey, [span("nr-2")]);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((await res.json()).error.message).toMatch(/Redis/);
      const otlp = await postOtlp(
        new Request("http://runlens.test/api/otel/v1/traces", {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(OTLP_EXPORT),
        }),
      );
      expect(otlp.status).toBe(503);
      expect(otlp.headers.get("retry-after")).toMatch(/^\d+$/);
      const logs = await postOtlpLogs(
        new Request("http://runlens.test/api/otel/v1/logs", {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(OTLP_LOGS),
        }),
      );
      expect(logs.status).toBe(503);
      expect(logs.headers.get("retry-after")).toMatch(/^\d+$/);
    } finally {
      await redis.start();
    }
    await until("ingest to accept again", async () => (await send(apiKey, [span("nr-3")])).status === 207);
  }, 60_000);
});
