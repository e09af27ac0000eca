import { beforeAll, describe, expect, it } from "vitest";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { DELETE as delRoute, GET as getRoute, PATCH as patchRoute } from "@/app/api/v1/runtime/v1/reviews/[id]/route";
import { GET as checkRoute } from "@/app/api/v1/runtime/v1/reviews/check/route";
import { GET as exportRoute } from "@/app/api/v1/runtime/v1/reviews/export/route";
import { POST as createRoute, GET as listRoute } from "@/app/api/v1/runtime/v1/reviews/route";
import { GET as statsRoute } from "@/app/api/v1/runtime/v1/reviews/stats/route";
import { ctx, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

const BASE = "/api/v1/runtime/v1/reviews";
const t = (s: number) => new Date(Date.UTC(2026, 6, 1, 12, 0, s)).toISOString();

describe("reviews API", () => {
  const app = withAppDb();
  let key = "";
  let other = "";
  const create = (body: unknown, bearer = key) => createRoute(request(BASE, { body, bearer }));
  const patch = (id: string, body: unknown, bearer = key) =>
    patchRoute(request(`${BASE}/${id}`, { method: "PATCH", body, bearer }), ctx({ id }));
  const list = async (qs: string, bearer = key) => (await listRoute(request(`${BASE}${qs}`, { bearer }))).json();

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "QA"));
    ({ apiKey: other } = await createKeyedWorkspace(app.db(), "Other"));
    const traces = [
      {
        id: "c1-root",
        executionId: "conv-1",
        type: "agent_execution",
        name: "chat",
        agent: "concierge",
        startedAt: t(0),
        endedAt: t(9),
      },
      {
        id: "c1-m1",
        executionId: "conv-1",
        parentId: "c1-root",
        type: "conversation_message",
        name: "user",
        startedAt: t(1),
        message: { role: "user", content: "Qual o horário do café?" },
      },
      {
        id: "c1-m2",
        executionId: "conv-1",
        parentId: "c1-root",
        type: "conversation_message",
        name: "assistant",
        startedAt: t(2),
        message: { role: "assistant", content: "Das 7h às 9h." },
      },
      {
        id: "c1-m3",
        executionId: "conv-1",
        parentId: "c1-root",
        type: "conversation_message",
        name: "assistant",
        startedAt: t(3),
        message: { role: "assistant", content: { type: "buttons", text: "Mais algo?", items: [] } },
      },
      {
        id: "p1",
        executionId: "plain-1",
        type: "custom_execution",
        name: "summarize",
        agent: "concierge",
        startedAt: t(0),
        endedAt: t(1),
        input: { text: "long doc" },
        output: { summary: "short" },
      },
      {
        id: "p2",
        executionId: "plain-2",
        type: "custom_execution",
        name: "summarize",
        agent: "concierge",
        startedAt: t(0),
        endedAt: t(1),
        input: "q",
        output: "a",
      },
    ];
    await postTraces(request("/api/v1/runtime/v1/observability/traces", { body: { traces }, bearer: key }));
    await app.drained();
  });

  let reviewId = "";

  it("creates a review (201), refuses a second one (409), a 9-character comment (400), unknown and foreign executions (404)", async () => {
    const res = await create({
      executionId: "conv-1",
      agentId: "concierge",
      rating: "bad",
      comment: "O horário informado está errado",
      priority: "high",
      tags: ["horario"],
    });
    expect(res.status).toBe(201);
    reviewId = (await res.json()).reviewId;
    const again = await create({
      executionId: "conv-1",
      agentId: "concierge",
      rating: "good",
      comment: "second review here",
    });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("review_already_exists");
    const short = await create({ executionId: "plain-1", agentId: "concierge", rating: "good", comment: "123456789" });
    expect(short.status).toBe(400);
    expect((await short.json()).error.details[0].path).toBe("comment");
    const unknown = await create({
      executionId: "nope",
      agentId: "concierge",
      rating: "good",
      comment: "a long enough comment",
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("execution_not_found");
    const foreign = await create(
      { executionId: "conv-1", agentId: "concierge", rating: "good", comment: "a long enough comment" },
      other,
    );
    expect(foreign.status).toBe(404);
  });

  it("checks, gets, and hides a review from another workspace (404)", async () => {
    expect(await (await checkRoute(request(`${BASE}/check?executionId=conv-1`, { bearer: key }))).json()).toEqual({
      hasReview: true,
      reviewId,
    });
    expect(await (await checkRoute(request(`${BASE}/check?executionId=plain-1`, { bearer: key }))).json()).toEqual({
      hasReview: false,
    });
    const got = await (await getRoute(request(`${BASE}/${reviewId}`, { bearer: key }), ctx({ id: reviewId }))).json();
    expect(got).toMatchObject({
      executionId: "conv-1",
      agent: "concierge",
      rating: "bad",
      priority: "high",
      status: "open",
      reviewedBy: "admin-cli",
      tags: ["horario"],
    });
    for (const res of [
      await getRoute(request(`${BASE}/${reviewId}`, { bearer: other }), ctx({ id: reviewId })),
      await patch(reviewId, { status: "resolved" }, other),
      await delRoute(request(`${BASE}/${reviewId}`, { method: "DELETE", bearer: other }), ctx({ id: reviewId })),
      await getRoute(request(`${BASE}/nope`, { bearer: key }), ctx({ id: "nope" })),
    ]) {
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("review_not_found");
    }
  });

  it("moving to resolved stamps resolvedBy and resolvedAt", async () => {
    const before = Date.now();
    const res = await patch(reviewId, {
      status: "resolved",
      actionTaken: "prompt_fixed",
      resolutionNotes: "Corrigido o horário no prompt",
      correctedOutput: "O café é servido das 6h30 às 10h.",
    });
    const body = await res.json();
    expect(body).toMatchObject({
      status: "resolved",
      resolvedBy: "admin-cli",
      correctedOutput: "O café é servido das 6h30 às 10h.",
    });
    // Stamped by this request: neither earlier nor later (no bound on how long it took).
    expect(Date.parse(body.resolvedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(body.resolvedAt)).toBeLessThanOrEqual(Date.now());
    const reopened = await (await patch(reviewId, { status: "open" })).json();
    expect(reopened).toMatchObject({ resolvedBy: null, resolvedAt: null });
    await patch(reviewId, { status: "resolved" });
  });

  it("Portuguese search is stemmed and accent-insensitive", async () => {
    expect((await list("?search=horarios")).reviews.map((r: { id: string }) => r.id)).toEqual([reviewId]);
    expect((await list("?search=HORÁRIO")).reviews).toHaveLength(1);
    expect((await list("?search=servidos")).reviews).toHaveLength(1); // corrected output, stemmed
    expect((await list("?search=pizza")).reviews).toHaveLength(0);
  });

  it("filters and sorts the queue by priority then age", async () => {
    const low = (
      await (
        await create({
          executionId: "plain-1",
          agentId: "concierge",
          rating: "neutral",
          comment: "could be shorter",
          priority: "low",
        })
      ).json()
    ).reviewId;
    const urgent = (
      await (
        await create({
          executionId: "plain-2",
          agentId: "concierge",
          rating: "bad",
          comment: "wrong summary",
          priority: "urgent",
        })
      ).json()
    ).reviewId;
    const byPriority = await list("?sort=priority");
    expect(byPriority.reviews.map((r: { id: string }) => r.id)).toEqual([urgent, reviewId, low]);
    expect(byPriority.total).toBe(3);
    expect((await list("?status=open")).reviews.map((r: { id: string }) => r.id).sort()).toEqual([low, urgent].sort());
    expect((await list("?rating=bad&priority=urgent")).reviews.map((r: { id: string }) => r.id)).toEqual([urgent]);
    expect((await list("?agentId=concierge&tag=horario")).reviews.map((r: { id: string }) => r.id)).toEqual([reviewId]);
    const page1 = await list("?limit=2");
    const page2 = await list(`?limit=2&cursor=${page1.nextCursor}`);
    expect([...page1.reviews, ...page2.reviews].map((r: { id: string }) => r.id).sort()).toEqual(
      [low, urgent, reviewId].sort(),
    );
    expect((await list("", other)).reviews).toEqual([]);
  });

  it("stats count by status, rating and priority, and average the resolution time", async () => {
    // Known data: resolutions of 2 h and 4 h.
    const db = app.db();
    await db.prisma.review.update({
      where: { id: reviewId },
      data: { createdAt: new Date("2026-07-01T10:00:00Z"), resolvedAt: new Date("2026-07-01T12:00:00Z") },
    });
    const plain = await db.prisma.review.findFirstOrThrow({ where: { executionId: "plain-2" } });
    await db.prisma.review.update({
      where: { id: plain.id },
      data: {
        status: "resolved",
        createdAt: new Date("2026-07-02T00:00:00Z"),
        resolvedAt: new Date("2026-07-02T04:00:00Z"),
      },
    });
    const stats = await (await statsRoute(request(`${BASE}/stats?agentId=concierge`, { bearer: key }))).json();
    expect(stats).toEqual({
      total: 3,
      byStatus: { open: 1, in_progress: 0, resolved: 2, dismissed: 0 },
      byRating: { good: 0, bad: 2, neutral: 1 },
      byPriority: { low: 1, medium: 0, high: 1, urgent: 1 },
      avgResolutionHours: 3,
    });
  });

  it("exports resolved reviews for fine-tuning with the corrected answer as the final assistant turn", async () => {
    const body = await (await exportRoute(request(`${BASE}/export`, { bearer: key }))).json();
    expect(body.count).toBe(2);
    const conv = body.training_examples.find(
      (e: { metadata: { execution_id: string } }) => e.metadata.execution_id === "conv-1",
    );
    expect(conv).toEqual({
      messages: [
        { role: "user", content: "Qual o horário do café?" },
        { role: "assistant", content: "Das 7h às 9h." },
        { role: "assistant", content: "O café é servido das 6h30 às 10h." },
      ],
      metadata: { review_id: reviewId, execution_id: "conv-1", rating: "bad", was_corrected: true },
    });
    const plain = body.training_examples.find(
      (e: { metadata: { execution_id: string } }) => e.metadata.execution_id === "plain-2",
    );
    expect(plain.messages).toEqual([
      { role: "user", content: "q" },
      { role: "assistant", content: "a" },
    ]);
    expect(plain.metadata.was_corrected).toBe(false);

    const jsonl = await exportRoute(request(`${BASE}/export?format=jsonl`, { bearer: key }));
    expect(jsonl.headers.get("content-type")).toContain("application/x-ndjson");
    expect(jsonl.headers.get("x-total-count")).toBe("2");
    const lines = (await jsonl.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l.metadata.review_id).sort()).toEqual(
      body.training_examples.map((e: { metadata: { review_id: string } }) => e.metadata.review_id).sort(),
    );
  });

  it("assigns a review to a member, and only to a member; filters by assignee", async () => {
    const db = app.db();
    const ws = await db.prisma.workspace.findFirstOrThrow({ where: { name: "QA" } });
    const otherWs = await db.prisma.workspace.findFirstOrThrow({ where: { name: "Other" } });
    const person = (id: string, workspaceId: string) =>
      db.prisma.member.create({
        data: {
          role: "reviewer",
          workspace: { connect: { id: workspaceId } },
          user: { create: { id, name: id, email: `${id}@example.com` } },
        },
      });
    const owner = await person("qa-reviewer", ws.id);
    const outsider = await person("outsider", otherWs.id);
    const assigned = await (await patch(reviewId, { assigneeId: owner.userId })).json();
    expect(assigned.assigneeId).toBe(owner.userId);
    const refused = await patch(reviewId, { assigneeId: outsider.userId });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.details[0].path).toBe("assigneeId");
    expect((await list(`?assigneeId=${owner.userId}`)).reviews.map((r: { id: string }) => r.id)).toEqual([reviewId]);
    expect((await (await patch(reviewId, { assigneeId: null })).json()).assigneeId).toBeNull();
  });

  it("deletes a review (204)", async () => {
    const res = await delRoute(
      request(`${BASE}/${reviewId}`, { method: "DELETE", bearer: key }),
      ctx({ id: reviewId }),
    );
    expect(res.status).toBe(204);
    expect((await getRoute(request(`${BASE}/${reviewId}`, { bearer: key }), ctx({ id: reviewId }))).status).toBe(404);
  });
});
