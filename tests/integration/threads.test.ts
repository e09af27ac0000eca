import { beforeAll, describe, expect, it } from "vitest";
import { GET as messagesGet } from "@/app/api/v1/runtime/v1/observability/threads/[threadId]/messages/route";
import { GET as threadsGet } from "@/app/api/v1/runtime/v1/observability/threads/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { ctx, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

const T0 = Date.parse("2026-06-01T09:00:00.000Z");
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const msg = (
  id: string,
  executionId: string,
  s: number,
  role: string,
  content: unknown,
  extra: Record<string, unknown> = {},
) => ({
  id,
  executionId,
  type: "conversation_message",
  name: role,
  startedAt: iso(s),
  endedAt: iso(s),
  message: { role, content },
  ...extra,
});

describe("threads and messages", () => {
  const app = withAppDb();
  let key = "";
  let otherKey = "";
  const list = async (qs = "", bearer = key) =>
    (await threadsGet(request(`/api/v1/runtime/v1/observability/threads${qs}`, { bearer }))).json();

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Chat"));
    ({ apiKey: otherKey } = await createKeyedWorkspace(app.db(), "Other"));
    const traces = [
      // Thread wa-1: two executions.
      {
        id: "r1",
        executionId: "x1",
        type: "agent_execution",
        name: "turn",
        agent: "whatsapp",
        threadId: "wa-1",
        startedAt: iso(0),
        endedAt: iso(5),
      },
      msg("m1", "x1", 1, "user", "Qual o horário?", { parentId: "r1" }),
      msg("m2", "x1", 2, "assistant", "Das 8h às 20h.", { parentId: "r1" }),
      {
        id: "r2",
        executionId: "x2",
        type: "agent_execution",
        name: "turn",
        agent: "whatsapp",
        threadId: "wa-1",
        startedAt: iso(60),
        endedAt: iso(65),
      },
      msg("m3", "x2", 61, "user", "E no sábado?", { parentId: "r2" }),
      msg(
        "m4",
        "x2",
        62,
        "assistant",
        { type: "buttons", text: "Escolha", items: [{ id: "a", label: "Manhã" }] },
        { parentId: "r2" },
      ),
      msg("m5", "x2", 63, "tool", "lookup done", { parentId: "r2" }),
      // Thread web-2: older.
      {
        id: "r3",
        executionId: "x3",
        type: "agent_execution",
        name: "chat",
        agent: "web",
        threadId: "web-2",
        startedAt: iso(-100),
        endedAt: iso(-90),
      },
      msg("m6", "x3", -99, "user", "Where is my order?", { parentId: "r3" }),
    ];
    const res = await postTraces(request("/api/v1/runtime/v1/observability/traces", { body: { traces }, bearer: key }));
    expect((await res.json()).rejected).toBe(0);
    await app.drained();
  });

  it("lists threads by last activity with the latest user or assistant message as preview", async () => {
    const body = await list();
    expect(body.threads.map((t: { threadId: string }) => t.threadId)).toEqual(["wa-1", "web-2"]);
    expect(body.threads[0]).toMatchObject({
      agent: "whatsapp",
      executionCount: 2,
      messageCount: 5,
      lastMessage: { role: "assistant", content: { type: "buttons", text: "Escolha" } },
      lastActivityAt: iso(65),
    });
    expect(body.threads[1].lastMessage).toMatchObject({ role: "user", content: "Where is my order?" });
  });

  it("filters by agent and searches message text, pages with a cursor", async () => {
    expect((await list("?agent=web")).threads.map((t: { threadId: string }) => t.threadId)).toEqual(["web-2"]);
    expect((await list("?q=sábado")).threads.map((t: { threadId: string }) => t.threadId)).toEqual(["wa-1"]);
    expect((await list("?q=web-")).threads.map((t: { threadId: string }) => t.threadId)).toEqual(["web-2"]);
    const first = await list("?limit=1");
    expect(first.threads).toHaveLength(1);
    const second = await list(`?limit=1&cursor=${first.nextCursor}`);
    expect(second.threads.map((t: { threadId: string }) => t.threadId)).toEqual(["web-2"]);
    expect(second.nextCursor).toBeNull();
    expect((await list("", otherKey)).threads).toEqual([]);
  });

  it("returns a thread's messages across executions in order, 404 for an unknown or foreign thread", async () => {
    const res = await messagesGet(
      request("/api/v1/runtime/v1/observability/threads/wa-1/messages", { bearer: key }),
      ctx({ threadId: "wa-1" }),
    );
    const { messages } = await res.json();
    expect(
      messages.map((m: { id: string; executionId: string; role: string }) => [m.id, m.executionId, m.role]),
    ).toEqual([
      ["m1", "x1", "user"],
      ["m2", "x1", "assistant"],
      ["m3", "x2", "user"],
      ["m4", "x2", "assistant"],
      ["m5", "x2", "tool"],
    ]);
    expect(messages[0]).toMatchObject({ content: "Qual o horário?", parentId: "r1", at: iso(1) });
    for (const [threadId, bearer] of [
      ["nope", key],
      ["wa-1", otherKey],
    ]) {
      const r = await messagesGet(
        request(`/api/v1/runtime/v1/observability/threads/${threadId}/messages`, { bearer }),
        ctx({ threadId }),
      );
      expect(r.status).toBe(404);
    }
  });
});
