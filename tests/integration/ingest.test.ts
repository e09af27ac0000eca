import { beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/runtime/v1/observability/events/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function trace(over: Record<string, unknown>) {
  return {
    executionId: "exec-1",
    type: "custom_event",
    name: "step",
    startedAt: iso(0),
    endedAt: iso(10),
    agent: "support-bot",
    ...over,
  };
}

describe("ingest", () => {
  const app = withAppDb();
  let key = "";
  let workspaceId = "";
  const send = async (traces: unknown[]) => {
    const res = await postTraces(request("/api/v1/runtime/v1/observability/traces", { body: { traces }, bearer: key }));
    await app.drained();
    return res;
  };
  const sendEvents = async (events: unknown[]) => {
    const res = await postEvents(request("/api/v1/runtime/v1/observability/events", { body: { events }, bearer: key }));
    await app.drained();
    return res;
  };
  const counts = async () => ({
    spans: await app.db().prisma.span.count({ where: { workspaceId } }),
    executions: await app.db().prisma.execution.count({ where: { workspaceId } }),
    events: await app.db().prisma.trackEvent.count({ where: { workspaceId } }),
  });

  beforeAll(async () => {
    ({ apiKey: key, workspaceId } = await createKeyedWorkspace(app.db()));
  });

  it("stores the valid items of a batch and names the bad field of the invalid one", async () => {
    const res = await send([
      trace({
        id: "root",
        type: "agent_execution",
        name: "answer",
        startedAt: iso(0),
        endedAt: iso(500),
        input: { q: "hi" },
        output: { a: "hello" },
        threadId: "th-1",
      }),
      trace({ id: "bad", parentId: "root", llm: { usage: { inputTokens: "many" } } }),
      trace({
        id: "llm-1",
        parentId: "root",
        type: "llm_call",
        name: "gpt",
        startedAt: iso(20),
        endedAt: iso(300),
        llm: { model: "gpt-4o", usage: { inputTokens: 120, outputTokens: 30 } },
      }),
    ]);
    expect(res.status).toBe(207);
    // Not worth gzipping at ingest rates (Next skips compression for no-transform).
    expect(res.headers.get("cache-control")).toContain("no-transform");
    const body = await res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(1);
    expect(body.results.map((r: { id: string; status: number }) => [r.id, r.status])).toEqual([
      ["root", 201],
      ["bad", 400],
      ["llm-1", 201],
    ]);
    expect(body.results[1].error.details[0].path).toBe("llm.usage.inputTokens");
    expect(await counts()).toMatchObject({ spans: 2, executions: 1 });
  });

  it("rolls the execution up from its spans", async () => {
    const e = await app.db().prisma.execution.findUniqueOrThrow({
      where: { workspaceId_id: { workspaceId, id: "exec-1" } },
      include: { agent: true },
    });
    expect(e).toMatchObject({
      name: "answer",
      type: "agent_execution",
      status: "success",
      durationMs: 500n,
      spanCount: 2,
      tokensInput: 120n,
      tokensOutput: 30n,
      tokensTotal: 150n,
      threadId: "th-1",
      hasConversation: false,
      source: "sdk",
    });
    expect(e.agent.name).toBe("support-bot");
    expect(e.input).toEqual({ q: "hi" });
    expect(e.startedAt.toISOString()).toBe(iso(0));
  });

  it("a resent batch replaces and changes no count", async () => {
    const before = await counts();
    const batch = [
      trace({
        id: "root",
        type: "agent_execution",
        name: "answer",
        startedAt: iso(0),
        endedAt: iso(500),
        input: { q: "hi" },
        output: { a: "hello" },
        threadId: "th-1",
      }),
      trace({
        id: "llm-1",
        parentId: "root",
        type: "llm_call",
        name: "gpt",
        startedAt: iso(20),
        endedAt: iso(300),
        llm: { model: "gpt-4o", usage: { inputTokens: 120, outputTokens: 30 } },
      }),
    ];
    await send(batch);
    await send(batch);
    expect(await counts()).toEqual(before);
    const e = await app
      .db()
      .prisma.execution.findUniqueOrThrow({ where: { workspaceId_id: { workspaceId, id: "exec-1" } } });
    expect(e.tokensTotal).toBe(150n);
    expect(e.spanCount).toBe(2);
  });

  it("keeps a running execution running until its root ends, and marks errors", async () => {
    await send([trace({ id: "r2", executionId: "exec-2", type: "workflow_execution", name: "flow", endedAt: null })]);
    let e = await app
      .db()
      .prisma.execution.findUniqueOrThrow({ where: { workspaceId_id: { workspaceId, id: "exec-2" } } });
    expect(e).toMatchObject({ status: "running", endedAt: null, durationMs: null });
    await send([
      trace({
        id: "r2",
        executionId: "exec-2",
        type: "workflow_execution",
        name: "flow",
        endedAt: iso(2000),
        error: { name: "TypeError", message: "boom", stack: "at x" },
      }),
      trace({
        id: "m1",
        executionId: "exec-2",
        parentId: "r2",
        type: "conversation_message",
        name: "user",
        message: { role: "user", content: "Oi" },
      }),
    ]);
    e = await app.db().prisma.execution.findUniqueOrThrow({ where: { workspaceId_id: { workspaceId, id: "exec-2" } } });
    expect(e).toMatchObject({
      status: "error",
      durationMs: 2000n,
      hasConversation: true,
      error: { name: "TypeError", message: "boom", stack: "at x" },
    });
  });

  it("redacts secrets at any depth and truncates oversized payloads with a marker", async () => {
    await send([
      trace({
        id: "sec",
        executionId: "exec-3",
        input: { user: { CPF: "123.456.789-00", name: "Ana" }, headers: [{ Authorization: "Bearer x" }], apiKey: "k" },
        output: "y".repeat(250_000),
        metadata: { password: "hunter2", tokensUsed: 3 },
      }),
    ]);
    const s = await app.db().prisma.span.findFirstOrThrow({ where: { workspaceId, id: "sec" } });
    expect(s.input).toEqual({
      user: { CPF: "[REDACTED]", name: "Ana" },
      headers: [{ Authorization: "[REDACTED]" }],
      apiKey: "[REDACTED]",
    });
    expect(s.metadata).toEqual({ password: "[REDACTED]", tokensUsed: 3 });
    expect(s.output).toMatchObject({ __runlens_truncated: true, originalSize: 250_000 });
    expect((s.output as { preview: string }).preview).toHaveLength(200_000);
  });

  it("refuses what is not an envelope, too many items, and an unknown key", async () => {
    const notEnvelope = await postTraces(
      request("/api/v1/runtime/v1/observability/traces", { body: [{ id: "x" }], bearer: key }),
    );
    expect(notEnvelope.status).toBe(400);
    const tooMany = await send(Array.from({ length: 1001 }, (_, i) => trace({ id: `t${i}` })));
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.details[0].path).toBe("traces");
    const anon = await postTraces(
      request("/api/v1/runtime/v1/observability/traces", { body: { traces: [] }, bearer: "rl_nope" }),
    );
    expect(anon.status).toBe(401);
  });

  it("refuses a body over 5 MB with 413 and stores nothing", async () => {
    const before = await counts();
    const res = await send([trace({ id: "huge", executionId: "exec-huge", input: "z".repeat(5_300_000) })]);
    expect(res.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it("stores events once, keeps the catalog's counts and property types exact", async () => {
    const ev = (id: string, name: string, properties: Record<string, unknown>) => ({
      id,
      name,
      properties,
      agent: "support-bot",
      timestamp: iso(0),
    });
    const res = await sendEvents([
      ev("e1", "order_placed", { amount: 10, category: "books" }),
      ev("e2", "order_placed", { amount: "12", category: "toys" }),
      { name: "", properties: {} },
      ev("e3", "ticket_resolved", { answered: true, password: "x" }),
    ]);
    const body = await res.json();
    expect(body).toMatchObject({ accepted: 3, rejected: 1 });
    expect(body.results[2].error.details[0].path).toBe("name");
    await sendEvents([ev("e1", "order_placed", { amount: 10, category: "books" })]);
    // e3 renamed: the catalog moves its count.
    await sendEvents([ev("e3", "ticket_closed", { answered: true })]);
    const catalog = await app.db().prisma.eventCatalog.findMany({ where: { workspaceId }, orderBy: { name: "asc" } });
    expect(catalog.map((c) => [c.name, Number(c.count)])).toEqual([
      ["order_placed", 2],
      ["ticket_closed", 1],
      ["ticket_resolved", 0],
    ]);
    const props = await app
      .db()
      .prisma.eventProperty.findMany({ where: { workspaceId, eventName: "order_placed" }, orderBy: { key: "asc" } });
    expect(props.map((p) => [p.key, p.types])).toEqual([
      ["amount", ["number", "string"]],
      ["category", ["string"]],
    ]);
    const stored = await app.db().prisma.trackEvent.findMany({ where: { workspaceId }, orderBy: { id: "asc" } });
    expect(stored.map((e) => e.id)).toEqual(["e1", "e2", "e3"]);
    const e3 = await app.db().prisma.trackEvent.findFirstOrThrow({ where: { workspaceId, id: "e3" } });
    expect(e3.properties).toEqual({ answered: true });
  });

  it("redacts event properties", async () => {
    await sendEvents([{ id: "e9", name: "login", properties: { token: "abc", user: "ana" } }]);
    const e = await app.db().prisma.trackEvent.findFirstOrThrow({ where: { workspaceId, id: "e9" } });
    expect(e.properties).toEqual({ token: "[REDACTED]", user: "ana" });
  });
});
