import { beforeAll, describe, expect, it } from "vitest";
import { POST as postOtlp } from "@/app/api/otel/v1/traces/route";
import { GET as detailsGet } from "@/app/api/v1/runtime/v1/observability/executions/[id]/details/route";
import { GET as messagesGet } from "@/app/api/v1/runtime/v1/observability/threads/[threadId]/messages/route";
import { GET as threadsGet } from "@/app/api/v1/runtime/v1/observability/threads/route";
import { ctx, ORIGIN, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * An OTel chat (OpenTelemetry GenAI attributes) through the OTLP route: two executions of one
 * conversation, the first with two LLM calls around a tool call. Each call resends the history;
 * the thread must show every turn once, in order, each naming the LLM span it came from.
 */

const T0 = Date.parse("2026-04-01T10:00:00.000Z");
const ns = (ms: number) => `${BigInt(T0 + ms) * 1_000_000n}`;
const TRACE_1 = `${"c".repeat(31)}1`;
const TRACE_2 = `${"c".repeat(31)}2`;
const sid = (n: number) => n.toString(16).padStart(16, "d");
const CONVERSATION = "otel-conv-1";

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
const json = (key: string, v: unknown) => str(key, JSON.stringify(v));

const system = [{ type: "text", content: "Be brief." }];
const q1 = { role: "user", parts: [{ type: "text", content: "Weather in Paris?" }] };
const toolCall = {
  role: "assistant",
  parts: [{ type: "tool_call", id: "call-1", name: "weather", arguments: { city: "Paris" } }],
};
const toolResult = {
  role: "tool",
  parts: [{ type: "tool_call_response", id: "call-1", response: { tempC: 21 } }],
};
const a1 = { role: "assistant", parts: [{ type: "text", content: "21 °C in Paris." }], finish_reason: "stop" };
const q2 = { role: "user", parts: [{ type: "text", content: "And in Lyon?" }] };
const a2 = { role: "assistant", parts: [{ type: "text", content: "19 °C in Lyon." }], finish_reason: "stop" };

type S = { trace: string; id: string; parent?: string; name: string; start: number; end: number; attrs: object[] };

function llm(trace: string, id: string, parent: string, start: number, input: unknown[], output: unknown[]): S {
  return {
    trace,
    id,
    parent,
    name: "chat gpt-4o",
    start,
    end: start + 100,
    attrs: [
      str("gen_ai.operation.name", "chat"),
      str("gen_ai.request.model", "gpt-4o"),
      str("gen_ai.conversation.id", CONVERSATION),
      json("gen_ai.system_instructions", system),
      json("gen_ai.input.messages", input),
      json("gen_ai.output.messages", output),
      int("gen_ai.usage.input_tokens", 10),
      int("gen_ai.usage.output_tokens", 5),
    ],
  };
}

const firstRun: S[] = [
  { trace: TRACE_1, id: sid(1), name: "weather agent", start: 0, end: 1000, attrs: [] },
  llm(TRACE_1, sid(2), sid(1), 10, [q1], [toolCall]),
  {
    trace: TRACE_1,
    id: sid(3),
    parent: sid(1),
    name: "execute_tool weather",
    start: 200,
    end: 300,
    attrs: [str("gen_ai.operation.name", "execute_tool"), str("gen_ai.tool.name", "weather")],
  },
  llm(TRACE_1, sid(4), sid(1), 400, [q1, toolCall, toolResult], [a1]),
  {
    trace: TRACE_1,
    id: sid(5),
    parent: sid(1),
    name: "embeddings",
    start: 600,
    end: 650,
    attrs: [
      str("gen_ai.operation.name", "embeddings"),
      str("gen_ai.request.model", "text-embedding-3-small"),
      int("gen_ai.usage.input_tokens", 7),
    ],
  },
];
const secondRun: S[] = [
  { trace: TRACE_2, id: sid(11), name: "weather agent", start: 5000, end: 6000, attrs: [] },
  llm(TRACE_2, sid(12), sid(11), 5010, [q1, toolCall, toolResult, a1, q2], [a2]),
];

function exportBody(spans: S[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", "weather-agent")] },
        scopeSpans: [
          {
            scope: { name: "test" },
            spans: spans.map((s) => ({
              traceId: s.trace,
              spanId: s.id,
              parentSpanId: s.parent ?? "",
              name: s.name,
              kind: 1,
              startTimeUnixNano: ns(s.start),
              endTimeUnixNano: ns(s.end),
              attributes: s.attrs,
            })),
          },
        ],
      },
    ],
  };
}

describe("OTel chats: LLM calls' turns as the execution's conversation and thread", () => {
  const app = withAppDb();
  let key = "";

  const post = async (spans: S[]) => {
    const res = await postOtlp(
      new Request(`${ORIGIN}/api/otel/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(exportBody(spans)),
      }),
    );
    expect(res.status).toBe(200);
    await app.drained();
  };
  const details = async (id: string) =>
    (
      await detailsGet(
        request(`/api/v1/runtime/v1/observability/executions/${id}/details`, { bearer: key }),
        ctx({ id }),
      )
    ).json();
  const threadMessages = async () =>
    (
      await (
        await messagesGet(
          request(`/api/v1/runtime/v1/observability/threads/${CONVERSATION}/messages`, { bearer: key }),
          ctx({ threadId: CONVERSATION }),
        )
      ).json()
    ).messages as { id: string; executionId: string; role: string; content: unknown; metadata: unknown }[];

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "OTel chat"));
    await post(firstRun);
    await post(secondRun);
  });

  it("opens each execution as a chat in the conversation's thread", async () => {
    for (const id of [TRACE_1, TRACE_2]) {
      const { execution } = await details(id);
      expect(execution).toMatchObject({ hasConversation: true, threadId: CONVERSATION });
    }
  });

  it("shows every turn once, in the order lived, each linked to its LLM span", async () => {
    const messages = await threadMessages();
    const summary = messages.map((m) => [m.executionId, m.role, m.content]);
    expect(summary).toEqual([
      [TRACE_1, "system", "Be brief."],
      [TRACE_1, "user", "Weather in Paris?"],
      [
        TRACE_1,
        "assistant",
        { type: "parts", parts: [{ type: "tool_call", id: "call-1", name: "weather", arguments: { city: "Paris" } }] },
      ],
      [TRACE_1, "tool", { type: "parts", parts: [{ type: "tool_result", id: "call-1", result: { tempC: 21 } }] }],
      [TRACE_1, "assistant", "21 °C in Paris."],
      [TRACE_2, "user", "And in Lyon?"],
      [TRACE_2, "assistant", "19 °C in Lyon."],
    ]);
    expect(messages.map((m) => (m.metadata as { sourceSpanId: string }).sourceSpanId)).toEqual([
      sid(2),
      sid(2),
      sid(2),
      sid(4),
      sid(4),
      sid(12),
      sid(12),
    ]);
    expect(messages[4]).toMatchObject({ id: `${sid(4)}-m0001`, metadata: { finishReason: "stop" } });
  });

  it("lists the thread with its last message", async () => {
    const res = await threadsGet(request("/api/v1/runtime/v1/observability/threads", { bearer: key }));
    const { threads } = await res.json();
    expect(threads).toHaveLength(1);
    expect(threads[0]).toMatchObject({
      threadId: CONVERSATION,
      executionCount: 2,
      messageCount: 7,
      lastMessage: { role: "assistant", content: "19 °C in Lyon." },
    });
  });

  it("writes the same turns again on a resend (stable ids)", async () => {
    await post(firstRun);
    expect((await threadMessages()).length).toBe(7);
  });

  it("sums embedding tokens with the LLM calls' tokens", async () => {
    const { execution } = await details(TRACE_1);
    expect(execution.tokens).toEqual({ input: 27, output: 10, total: 37 });
  });
});
