import { beforeAll, describe, expect, it } from "vitest";
import { POST as erasurePost } from "@/app/api/v1/runtime/v1/observability/erasure/route";
import { POST as postEvents } from "@/app/api/v1/runtime/v1/observability/events/route";
import { DELETE as deleteRoute } from "@/app/api/v1/runtime/v1/observability/executions/[id]/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { POST as reviewsPost } from "@/app/api/v1/runtime/v1/reviews/route";
import { GET as auditGet } from "@/app/api/v1/settings/audit/route";
import type { DeletionList } from "@/lib/contracts/data";
import { ZOverviewQuery } from "@/lib/contracts/overview";
import { getOverview } from "@/lib/overview/overview";
import { ctx, drained, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

// Deletion on demand (issue #18 item 4): an execution, and an erasure request by a user's
// identifiers. Nothing of the deleted data is left; counts, rollups, the catalog and the overview
// stay right; other workspaces and other users' data are untouched; each deletion is recorded.

const BASE = "/api/v1/runtime/v1/observability";
const T0 = Date.parse("2026-11-02T10:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

type Run = { id: string; thread: string; user: string; at: number };
const RUNS: Run[] = [
  { id: "d1", thread: "t-ana", user: "ana@example.com", at: T0 },
  { id: "d2", thread: "t-ana", user: "ana@example.com", at: T0 + 60_000 },
  { id: "d3", thread: "t-bob", user: "bob@example.com", at: T0 + 120_000 },
  { id: "d4", thread: "t-bob", user: "bob@example.com", at: T0 + 180_000 },
  { id: "d5", thread: "t-cy", user: "cy@example.com", at: T0 + 240_000 },
];

const traces = (runs: Run[]) =>
  runs.flatMap((r) => [
    {
      id: `${r.id}-root`,
      executionId: r.id,
      type: "agent_execution",
      name: "chat",
      agent: "support",
      status: "success",
      threadId: r.thread,
      identify: { type: "email", value: r.user },
      startedAt: iso(r.at),
      endedAt: iso(r.at + 500),
    },
    {
      id: `${r.id}-llm`,
      executionId: r.id,
      parentId: `${r.id}-root`,
      type: "llm_call",
      name: "answer",
      startedAt: iso(r.at + 10),
      endedAt: iso(r.at + 400),
      llm: { model: "gpt-4o-mini", usage: { inputTokens: 10, outputTokens: 5 } },
    },
  ]);
const events = (runs: Run[]) =>
  runs.map((r) => ({
    id: `${r.id}-ev`,
    name: "message_answered",
    agent: "support",
    executionId: r.id,
    threadId: r.thread,
    timestamp: iso(r.at + 450),
    properties: { answered: true },
  }));

describe("deletion on demand", () => {
  const app = withAppDb();
  let key = "";
  let ws = "";
  let otherKey = "";
  const count = async (table: string, where = "") => {
    const [r] = await app
      .db()
      .prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM ${table} WHERE workspace_id = $1 ${where}`,
        ws,
      );
    return r.n;
  };
  const overview = async () =>
    getOverview(app.db(), ws, ZOverviewQuery.parse({ from: iso(T0 - 3_600_000), to: iso(T0 + 3_600_000) }));
  const catalogCount = async () => {
    const [r] = await app
      .db()
      .prisma.$queryRawUnsafe<{ n: bigint | number }[]>(
        `SELECT count AS n FROM event_catalog WHERE workspace_id = $1 AND name = 'message_answered'`,
        ws,
      );
    return Number(r?.n ?? 0);
  };
  const rollupCount = async () => {
    const [r] = await app
      .db()
      .prisma.$queryRawUnsafe<{ n: number | null }[]>(
        `SELECT sum(n)::int AS n FROM event_rollups WHERE workspace_id = $1 AND name = 'message_answered' AND kind = 0`,
        ws,
      );
    return r?.n ?? 0;
  };

  beforeAll(async () => {
    ({ apiKey: key, workspaceId: ws } = await createKeyedWorkspace(app.db(), "Deleting"));
    ({ apiKey: otherKey } = await createKeyedWorkspace(app.db(), "Other"));
    for (const [bearer, runs] of [
      [key, RUNS],
      [otherKey, RUNS.slice(0, 1)],
    ] as const) {
      const t = await postTraces(request(`${BASE}/traces`, { body: { traces: traces(runs) }, bearer }));
      expect((await t.json()).rejected).toBe(0);
      const e = await postEvents(request(`${BASE}/events`, { body: { events: events(runs) }, bearer }));
      expect((await e.json()).rejected).toBe(0);
    }
    await drained();
    const review = await reviewsPost(
      request("/api/v1/runtime/v1/reviews", {
        body: { executionId: "d1", agentId: "support", rating: "bad", comment: "The answer was wrong." },
        bearer: key,
      }),
    );
    expect(review.status).toBe(201);
  });

  it("refuses without credentials and answers 404 for another workspace's execution", async () => {
    const none = await deleteRoute(request(`${BASE}/executions/d1`, { method: "DELETE" }), ctx({ id: "d1" }));
    expect(none.status).toBe(401);
    // "d5" exists only in the first workspace: the other one's key cannot see it.
    const foreign = await deleteRoute(
      request(`${BASE}/executions/d5`, { method: "DELETE", bearer: otherKey }),
      ctx({ id: "d5" }),
    );
    expect(foreign.status).toBe(404);
    expect(await count("executions")).toBe(5);
  });

  it("deletes an execution with its spans, review and events, and the counts follow", async () => {
    expect((await overview()).executions).toBe(5);
    const res = await deleteRoute(
      request(`${BASE}/executions/d1`, { method: "DELETE", bearer: key }),
      ctx({ id: "d1" }),
    );
    expect(res.status).toBe(204);
    expect(await count("executions", "AND id = 'd1'")).toBe(0);
    expect(await count("spans", "AND execution_id = 'd1'")).toBe(0);
    expect(await count("reviews", "AND execution_id = 'd1'")).toBe(0);
    expect(await count("track_events", "AND execution_id = 'd1'")).toBe(0);
    const o = await overview();
    expect(o.executions).toBe(4);
    expect(o.models[0].calls).toBe(4);
    expect(o.tokens).toBe(4 * 15);
    expect(await catalogCount()).toBe(4);
    expect(await rollupCount()).toBe(4);
    const again = await deleteRoute(
      request(`${BASE}/executions/d1`, { method: "DELETE", bearer: key }),
      ctx({ id: "d1" }),
    );
    expect(again.status).toBe(404);
  });

  it("erases everything matching a user's identifiers, and nothing else", async () => {
    const bad = await erasurePost(request(`${BASE}/erasure`, { body: {}, bearer: key }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details[0].path).toBe("threadId");

    const res = await erasurePost(
      request(`${BASE}/erasure`, {
        body: { identify: { type: "email", value: "bob@example.com" }, threadId: "t-ana" },
        bearer: key,
      }),
    );
    expect(res.status).toBe(200);
    // d2 (Ana's thread; d1 went before) and Bob's d3, d4.
    expect(await res.json()).toEqual({ executions: 3, spans: 6, events: 3 });
    expect(await count("executions")).toBe(1);
    expect(await count("spans")).toBe(2);
    expect(await count("track_events")).toBe(1);
    expect(await count("spans", "AND execution_id IN ('d2', 'd3', 'd4')")).toBe(0);
    const o = await overview();
    expect(o.executions).toBe(1);
    expect(o.agents).toEqual([expect.objectContaining({ agent: "support", executions: 1 })]);
    expect(await catalogCount()).toBe(1);
    expect(await rollupCount()).toBe(1);
    // The other workspace keeps its own d1 and event.
    const [other] = await app
      .db()
      .prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM executions WHERE workspace_id <> $1`,
        ws,
      );
    expect(other.n).toBe(1);
  });

  it("records each deletion with who and how much", async () => {
    const res = await auditGet(request("/api/v1/settings/audit", { bearer: key }));
    expect(res.status).toBe(200);
    const { records } = (await res.json()) as DeletionList;
    expect(records.map((r) => [r.kind, r.executions, r.spans, r.events])).toEqual([
      ["erasure", 3, 6, 3],
      ["execution", 1, 2, 1],
    ]);
    expect(records[1].target).toEqual({ executionId: "d1" });
    expect(records[0].target).toEqual({ identify: { type: "email", value: "bob@example.com" }, threadId: "t-ana" });
    expect(records[0].actor).toBeTruthy();
    const foreign = await auditGet(request("/api/v1/settings/audit", { bearer: otherKey }));
    expect(((await foreign.json()) as DeletionList).records).toEqual([]);
  });
});
