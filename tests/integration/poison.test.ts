import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/runtime/v1/observability/events/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { ingestionStatus, retryFailedBatch } from "@/lib/ingest/failures";
import { INGEST_QUEUE, startIngestWorker } from "@/lib/ingest/pipeline";
import { getQueue } from "@/lib/queue";
import { request, withAppDb } from "../helpers/app";
import { redisUrl } from "../helpers/db";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * Poison isolation: an accepted batch the database refuses is split until the refused item is
 * alone; every other item is stored. Validation at the edge keeps every known unstorable value out,
 * so these tests make Postgres refuse one item with a CHECK constraint (code 23514), as it would
 * refuse a value nobody foresaw.
 */

const NOW = Date.now();
const span = (i: number, name = `step ${i}`) => ({
  id: `s${i}`,
  executionId: "ex",
  parentId: i === 0 ? null : "s0",
  type: i === 0 ? "agent_execution" : "tool_call",
  name,
  startedAt: NOW + i,
  endedAt: NOW + 100 + i,
  output: { i },
});
const event = (i: number, name = "order_paid") => ({ id: `ev${i}`, name, properties: { amount: i } });

describe("poison isolation", () => {
  const app = withAppDb({ worker: false });
  let apiKey = "";
  let workspaceId = "";
  let worker: { close(): Promise<void> } | null = null;

  beforeAll(async () => {
    ({ apiKey, workspaceId } = await createKeyedWorkspace(app.db()));
    await app.db().prisma.$executeRawUnsafe(`ALTER TABLE spans ADD CONSTRAINT poison_span CHECK (name <> 'poison')`);
    await app
      .db()
      .prisma.$executeRawUnsafe(`ALTER TABLE track_events ADD CONSTRAINT poison_event CHECK (name <> 'poison')`);
    if (redisUrl) worker = await startIngestWorker(1);
  });
  afterAll(async () => {
    await worker?.close();
  });

  const post = async (body: unknown, route: typeof postTraces) => {
    const path = route === postTraces ? "traces" : "events";
    const res = await route(request(`/api/v1/runtime/v1/observability/${path}`, { body, bearer: apiKey }));
    expect(res.status).toBe(207);
    return (await res.json()) as {
      accepted: number;
      results: { id: string; status: number; error?: { code: string; message: string } }[];
    };
  };
  const failedItems = async () => {
    const deadline = Date.now() + 20_000;
    let status = await ingestionStatus(workspaceId);
    while (redisUrl && status.failedItems.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      status = await ingestionStatus(workspaceId);
    }
    return status.failedItems;
  };

  it("stores the nine good spans of a batch with one poison span, and names the poison one", async () => {
    const traces = Array.from({ length: 10 }, (_, i) => span(i, i === 6 ? "poison" : undefined));
    const body = await post({ traces }, postTraces);
    await app.drained();
    const stored = await app.db().prisma.span.findMany({ where: { workspaceId }, select: { id: true } });
    expect(stored.map((s) => s.id).sort()).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s7", "s8", "s9"]);
    const execution = await app.db().prisma.execution.findFirstOrThrow({ where: { workspaceId, id: "ex" } });
    expect(execution).toMatchObject({ spanCount: 9, status: "success" });

    if (redisUrl) {
      // Queued: accepted (it is in Redis), then kept apart by the worker, with its request.
      expect(body.accepted).toBe(10);
      const [item] = await failedItems();
      expect(item).toMatchObject({ kind: "span", source: "sdk", itemId: "s6", attempts: 1 });
      expect(item.error).toMatch(/poison_span/);
      expect(item.requestId).toMatch(/^req_/);
    } else {
      // Written while the request waits: the poison item gets its own answer.
      expect(body.accepted).toBe(9);
      expect(body.results[6]).toMatchObject({ id: "s6", status: 400, error: { code: "unstorable" } });
      expect(body.results[6].error?.message).toMatch(/poison_span/);
      expect(body.results.filter((r) => r.status === 201)).toHaveLength(9);
    }
  });

  it("stores the good events of a batch with one poison event, counting each once", async () => {
    const events = Array.from({ length: 10 }, (_, i) => event(i, i === 3 ? "poison" : undefined));
    const body = await post({ events }, postEvents);
    await app.drained();
    expect(await app.db().prisma.trackEvent.count({ where: { workspaceId } })).toBe(9);
    const [catalog] = await app.db().prisma.eventCatalog.findMany({ where: { workspaceId } });
    expect(catalog).toMatchObject({ name: "order_paid", count: 9n });
    if (redisUrl) {
      expect(body.accepted).toBe(10);
      expect((await failedItems()).find((f) => f.kind === "event")).toMatchObject({ itemId: "ev3", source: "sdk" });
    } else {
      expect(body.accepted).toBe(9);
      expect(body.results[3]).toMatchObject({ id: "ev3", status: 400, error: { code: "unstorable" } });
    }
  });

  it.skipIf(!redisUrl)(
    "stores a failed item on retry once the cause is gone, and hides it from other workspaces",
    async () => {
      const items = await failedItems();
      const item = items.find((f) => f.kind === "span")!;
      expect((await ingestionStatus("someone-else")).failedItems).toEqual([]);
      await expect(retryFailedBatch("someone-else", item.id)).rejects.toMatchObject({ status: 404 });

      // Still refused: it stays, one attempt more.
      await retryFailedBatch(workspaceId, item.id);
      expect((await failedItems()).find((f) => f.id === item.id)).toMatchObject({ attempts: 2 });

      await app.db().prisma.$executeRawUnsafe(`ALTER TABLE spans DROP CONSTRAINT poison_span`);
      await retryFailedBatch(workspaceId, item.id);
      expect((await ingestionStatus(workspaceId)).failedItems.find((f) => f.id === item.id)).toBeUndefined();
      const stored = await app.db().prisma.span.findFirstOrThrow({ where: { workspaceId, id: "s6" } });
      expect(stored.name).toBe("poison");
      const execution = await app.db().prisma.execution.findFirstOrThrow({ where: { workspaceId, id: "ex" } });
      expect(execution.spanCount).toBe(10);
      expect(await (await getQueue(INGEST_QUEUE)).pendingCount()).toBe(0);
    },
  );
});
