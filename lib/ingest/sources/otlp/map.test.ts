import { describe, expect, it } from "vitest";
import type { SpanRow } from "../../model";
import { decodeTraceRequest, encodeTraceRequest } from "./decode";
import { mapExportRequest } from "./map";
import { unflattenIndexed } from "./values";

const TRACE = "5b8efff798038103d269b633813fc60c";
const T0 = 1_700_000_000_000; // ms
const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

type Attr = string | number | boolean | (string | number)[] | { int: string };
function kv(attrs: Record<string, Attr>) {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: anyValue(v) }));
}
function anyValue(v: Attr): Record<string, unknown> {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { intValue: v.int };
}

type SpanInput = {
  id: string;
  parent?: string;
  name?: string;
  trace?: string;
  kind?: number;
  start?: number;
  end?: number;
  attrs?: Record<string, Attr>;
  status?: { code: number; message?: string };
  events?: { name: string; at?: number; attrs?: Record<string, Attr> }[];
};

function span(s: SpanInput) {
  return {
    traceId: s.trace ?? TRACE,
    spanId: s.id,
    ...(s.parent ? { parentSpanId: s.parent } : {}),
    name: s.name ?? s.id,
    kind: s.kind ?? 1,
    startTimeUnixNano: ns(T0 + (s.start ?? 0)),
    endTimeUnixNano: ns(T0 + (s.end ?? 100)),
    attributes: kv(s.attrs ?? {}),
    ...(s.status ? { status: s.status } : {}),
    events: (s.events ?? []).map((e) => ({
      name: e.name,
      timeUnixNano: ns(T0 + (e.at ?? 10)),
      attributes: kv(e.attrs ?? {}),
    })),
  };
}

function request(spans: SpanInput[], resource: Record<string, Attr> = { "service.name": "support-bot" }) {
  return {
    resourceSpans: [
      {
        resource: { attributes: kv(resource) },
        scopeSpans: [{ scope: { name: "my-lib", version: "1.2.0" }, spans: spans.map(span) }],
      },
    ],
  };
}

/** Through the real codec, as the receiver does: JSON body -> decoded request -> rows. */
function mapJson(body: unknown) {
  return mapExportRequest(decodeTraceRequest(Buffer.from(JSON.stringify(body)), "json"));
}
const byId = (rows: SpanRow[], id: string) => rows.find((r) => r.id === id)!;

const ROOT = "00f067aa0ba902b7";
const CHILD = "00f067aa0ba902b8";
const GRANDCHILD = "00f067aa0ba902b9";

describe("OTLP adapter: traces, spans, hierarchy", () => {
  it("a trace is an execution and spans keep their OTel ids and parents", () => {
    const m = mapJson(
      request([
        { id: ROOT, name: "handle request" },
        { id: CHILD, parent: ROOT, start: 10, end: 50 },
      ]),
    );
    expect(m.rejected).toBe(0);
    const root = byId(m.spans, ROOT);
    expect(root).toMatchObject({
      execution_id: TRACE,
      parent_id: null,
      type: "custom_execution",
      name: "handle request",
      status: "success",
      started_at: new Date(T0).toISOString(),
      ended_at: new Date(T0 + 100).toISOString(),
    });
    expect(byId(m.spans, CHILD)).toMatchObject({ parent_id: ROOT, type: "custom_event", execution_id: TRACE });
    expect(m.executions).toEqual([
      expect.objectContaining({ execution_id: TRACE, agent: "support-bot", agent_from_root: true }),
    ]);
  });

  it("hex ids are case-insensitive and come out lowercase", () => {
    const m = mapJson(request([{ id: ROOT.toUpperCase(), trace: TRACE.toUpperCase() }]));
    expect(m.spans[0]).toMatchObject({ id: ROOT, execution_id: TRACE });
  });

  it("base64 ids (protobuf's own JSON mapping, sent by early exporters) are understood too", () => {
    const b64 = (h: string) => Buffer.from(h, "hex").toString("base64");
    const body = request([{ id: CHILD, parent: ROOT }]);
    const s = body.resourceSpans[0].scopeSpans[0].spans[0];
    s.traceId = b64(TRACE);
    s.spanId = b64(CHILD);
    s.parentSpanId = b64(ROOT);
    const m = mapJson(body);
    expect(m.spans[0]).toMatchObject({ id: CHILD, parent_id: ROOT, execution_id: TRACE });
  });

  it("int64 fields arrive as strings or numbers alike", () => {
    const body = request([{ id: ROOT, attrs: { retries: { int: "3" }, big: { int: "9007199254740993" } } }]);
    const s = body.resourceSpans[0].scopeSpans[0].spans[0] as Record<string, unknown>;
    s.startTimeUnixNano = Number(ns(T0)); // a JSON number, as some encoders write
    const m = mapJson(body);
    expect(m.spans[0].started_at).toBe(new Date(T0).toISOString());
    const attrs = (m.spans[0].metadata as { attributes: Record<string, unknown> }).attributes;
    expect(attrs.retries).toBe(3);
    expect(attrs.big).toBe("9007199254740993"); // beyond 2^53: kept exact as a string
  });

  it("a span whose parent is not in the request keeps its parent (it may arrive later)", () => {
    const m = mapJson(request([{ id: GRANDCHILD, parent: CHILD }]));
    expect(m.spans[0]).toMatchObject({ parent_id: CHILD, type: "custom_event" });
    // No root in this request: the agent is taken from this span, and a root arriving later wins.
    expect(m.executions[0]).toMatchObject({ agent: "support-bot", agent_from_root: false });
  });

  it("an all-zero parent span id means no parent", () => {
    const m = mapJson(request([{ id: ROOT, parent: "0000000000000000" }]));
    expect(m.spans[0].parent_id).toBeNull();
  });

  it("span kind, attributes, resource attributes and scope are kept in metadata", () => {
    const m = mapJson(
      request([{ id: ROOT, kind: 2, attrs: { "app.tenant": "acme", flags: ["a", "b"] } }], {
        "service.name": "api",
        "deployment.environment": "prod",
      }),
    );
    expect(m.spans[0].metadata).toEqual({
      spanKind: "server",
      attributes: { "app.tenant": "acme", flags: ["a", "b"] },
      resource: { "service.name": "api", "deployment.environment": "prod" },
      scope: { name: "my-lib", version: "1.2.0" },
    });
  });

  it("without service.name the agent is the default one", () => {
    const m = mapJson(request([{ id: ROOT }], {}));
    expect(m.executions[0].agent).toBe("default");
  });
});

describe("OTLP adapter: invalid spans are rejected alone", () => {
  it("empty, short or all-zero ids and missing start times are rejected with a reason", () => {
    const body = request([
      { id: ROOT },
      { id: "" },
      { id: "0000000000000000" },
      { id: "abc" },
      { id: CHILD, trace: "00000000000000000000000000000000" },
    ]);
    const noStart = span({ id: GRANDCHILD });
    (noStart as Record<string, unknown>).startTimeUnixNano = "0";
    body.resourceSpans[0].scopeSpans[0].spans.push(noStart);
    const m = mapJson(body);
    expect(m.spans.map((s) => s.id)).toEqual([ROOT]);
    expect(m.rejected).toBe(5);
    expect(m.reasons.join("\n")).toMatch(/spanId must be 8 bytes/);
    expect(m.reasons.join("\n")).toMatch(/traceId must be 16 bytes/);
    expect(m.reasons.join("\n")).toMatch(/startTimeUnixNano/);
  });

  it("a parentSpanId that is not 8 bytes is rejected, as in protobuf, instead of making a root", () => {
    const body = request([
      { id: ROOT },
      { id: CHILD, parent: "00f067aa0ba902" }, // 7 bytes
      { id: GRANDCHILD, parent: "not-an-id" },
    ]);
    const m = mapJson(body);
    expect(m.spans.map((s) => s.id)).toEqual([ROOT]);
    expect(m.rejected).toBe(2);
    expect(m.reasons.join("\n")).toMatch(/parentSpanId must be empty or 8 bytes/);
    const proto = body.resourceSpans[0].scopeSpans[0].spans[1] as Record<string, unknown>;
    proto.parentSpanId = Buffer.from("00f067aa0ba902", "hex");
    const binary = mapExportRequest(decodeTraceRequest(encodeTraceRequest(body), "protobuf"));
    expect(binary.reasons.join("\n")).toMatch(/parentSpanId must be empty or 8 bytes/);
  });

  it("an end before the start and a span that is its own parent are rejected", () => {
    const m = mapJson(
      request([
        { id: ROOT, start: 50, end: 10 },
        { id: CHILD, parent: CHILD },
      ]),
    );
    expect(m.spans).toEqual([]);
    expect(m.rejected).toBe(2);
  });
});

describe("OTLP adapter: status, exceptions and events", () => {
  it("status ERROR makes an error span with the status message", () => {
    const m = mapJson(request([{ id: ROOT, status: { code: 2, message: "upstream timed out" } }]));
    expect(m.spans[0]).toMatchObject({ status: "error", error: { message: "upstream timed out" } });
  });

  it("an exception event becomes an error span and the span's error", () => {
    const m = mapJson(
      request([
        {
          id: ROOT,
          status: { code: 2 },
          events: [
            {
              name: "exception",
              at: 40,
              attrs: {
                "exception.type": "TypeError",
                "exception.message": "x is undefined",
                "exception.stacktrace": "TypeError: x is undefined\n    at f (a.js:1:1)",
                "exception.escaped": true,
              },
            },
          ],
        },
      ]),
    );
    const expected = {
      name: "TypeError",
      message: "x is undefined",
      stack: "TypeError: x is undefined\n    at f (a.js:1:1)",
    };
    expect(byId(m.spans, ROOT)).toMatchObject({ status: "error", error: expected });
    expect(byId(m.spans, `${ROOT}-0`)).toMatchObject({
      type: "error",
      name: "TypeError",
      parent_id: ROOT,
      status: "error",
      error: expected,
      metadata: { "exception.escaped": true },
      started_at: new Date(T0 + 40).toISOString(),
    });
  });

  it("an exception recorded without status ERROR (handled) is the span's error, its status stays success", () => {
    const m = mapJson(
      request([{ id: ROOT, events: [{ name: "exception", attrs: { "exception.message": "retrying" } }] }]),
    );
    expect(byId(m.spans, ROOT)).toMatchObject({ status: "success", error: { message: "retrying" } });
    expect(byId(m.spans, `${ROOT}-0`)).toMatchObject({ type: "error", name: "exception", status: "error" });
  });

  it("an exception message carrying its own stack after a blank line (LangChain through OpenInference) is split", () => {
    const exception = (message: string, stacktrace?: string) =>
      byId(
        mapJson(
          request([
            {
              id: ROOT,
              status: { code: 2, message },
              events: [
                {
                  name: "exception",
                  attrs: {
                    "exception.message": message,
                    ...(stacktrace ? { "exception.stacktrace": stacktrace } : {}),
                  },
                },
              ],
            },
          ]),
        ).spans,
        ROOT,
      ).error;
    const stack = "Error: 400 overloaded\n    at APIError.generate (error.mjs:41:20)\n    at run (index.js:1:1)";
    expect(exception(`400 overloaded\n\n${stack}`)).toEqual({ message: "400 overloaded", stack });
    // Not a stack of that message, or a stacktrace sent: the message as sent.
    const prose = "Two paragraphs.\n\nThe second one\n    at the end";
    expect(exception(prose)).toEqual({ message: prose });
    expect(exception(`400 overloaded\n\n${stack}`, "sent")).toEqual({
      message: `400 overloaded\n\n${stack}`,
      stack: "sent",
    });
  });

  it("other events become log spans under their span, with stable ids", () => {
    const m = mapJson(request([{ id: ROOT, events: [{ name: "cache_miss", at: 5, attrs: { key: "user:1" } }] }]));
    expect(byId(m.spans, `${ROOT}-0`)).toMatchObject({
      type: "log",
      name: "cache_miss",
      parent_id: ROOT,
      status: "success",
      metadata: { key: "user:1" },
      started_at: new Date(T0 + 5).toISOString(),
      ended_at: new Date(T0 + 5).toISOString(),
    });
    expect(mapJson(request([{ id: ROOT, events: [{ name: "cache_miss" }] }])).spans[1].id).toBe(`${ROOT}-0`);
  });
});

describe("OTLP adapter: GenAI semantic conventions", () => {
  it("current conventions: models, provider, tokens, input/output messages", () => {
    const input = [{ role: "user", parts: [{ type: "text", content: "Hi" }] }];
    const output = [{ role: "assistant", parts: [{ type: "text", content: "Hello!" }], finish_reason: "stop" }];
    const m = mapJson(
      request([
        {
          id: CHILD,
          parent: ROOT,
          name: "chat gpt-4o",
          attrs: {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.response.model": "gpt-4o-2024-08-06",
            "gen_ai.request.temperature": 0.2,
            "gen_ai.usage.input_tokens": 12,
            "gen_ai.usage.output_tokens": 5,
            "gen_ai.input.messages": JSON.stringify(input),
            "gen_ai.output.messages": JSON.stringify(output),
          },
        },
      ]),
    );
    const s = m.spans[0];
    expect(s).toMatchObject({
      type: "llm_call",
      llm_model: "gpt-4o-2024-08-06",
      tokens_input: 12,
      tokens_output: 5,
      tokens_total: 17,
      // As normalised messages (lib/contracts/messages.ts).
      input: [{ role: "user", parts: [{ type: "text", text: "Hi" }] }],
      output: [{ role: "assistant", parts: [{ type: "text", text: "Hello!" }], finishReason: "stop" }],
      llm: {
        model: "gpt-4o-2024-08-06",
        provider: "openai",
        operation: "chat",
        config: { temperature: 0.2 },
        usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 },
      },
    });
    // The payloads are the input and output, not repeated in metadata.
    const attrs = (s.metadata as { attributes: Record<string, unknown> }).attributes;
    expect(attrs["gen_ai.input.messages"]).toBeUndefined();
    expect(attrs["gen_ai.request.model"]).toBe("gpt-4o");
  });

  it("older conventions: gen_ai.system, prompt_tokens/completion_tokens, indexed prompt and completion", () => {
    const m = mapJson(
      request([
        {
          id: CHILD,
          parent: ROOT,
          attrs: {
            "gen_ai.system": "anthropic",
            "gen_ai.request.model": "claude-3-5-sonnet",
            "gen_ai.usage.prompt_tokens": "30",
            "gen_ai.usage.completion_tokens": 7,
            "gen_ai.prompt.0.role": "system",
            "gen_ai.prompt.0.content": "Be brief.",
            "gen_ai.prompt.1.role": "user",
            "gen_ai.prompt.1.content": "Weather?",
            "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.content": "Sunny.",
            "gen_ai.completion.0.tool_calls.0.name": "get_weather",
          },
        },
      ]),
    );
    expect(m.spans[0]).toMatchObject({
      type: "llm_call",
      llm_model: "claude-3-5-sonnet",
      tokens_input: 30,
      tokens_output: 7,
      tokens_total: 37,
      input: [
        { role: "system", parts: [{ type: "text", text: "Be brief." }] },
        { role: "user", parts: [{ type: "text", text: "Weather?" }] },
      ],
      output: [
        {
          role: "assistant",
          parts: [
            { type: "text", text: "Sunny." },
            { type: "tool_call", name: "get_weather" },
          ],
        },
      ],
      llm: { provider: "anthropic" },
    });
  });

  it("plain gen_ai.prompt / gen_ai.completion strings, and the older content events", () => {
    const attrs = { "gen_ai.request.model": "m", "gen_ai.prompt": "Say hi", "gen_ai.completion": "hi" };
    expect(mapJson(request([{ id: ROOT, attrs }])).spans[0]).toMatchObject({
      input: [{ role: "user", parts: [{ type: "text", text: "Say hi" }] }],
      output: [{ role: "assistant", parts: [{ type: "text", text: "hi" }] }],
    });
    const viaEvents = mapJson(
      request([
        {
          id: ROOT,
          attrs: { "gen_ai.request.model": "m" },
          events: [
            { name: "gen_ai.content.prompt", attrs: { "gen_ai.prompt": '[{"role":"user","content":"q"}]' } },
            { name: "gen_ai.content.completion", attrs: { "gen_ai.completion": "a" } },
          ],
        },
      ]),
    );
    // Content events are the payload, not log spans (its conversation turns aside).
    expect(viaEvents.spans.filter((s) => s.type !== "conversation_message")).toHaveLength(1);
    expect(viaEvents.spans[0]).toMatchObject({
      input: [{ role: "user", parts: [{ type: "text", text: "q" }] }],
      output: [{ role: "assistant", parts: [{ type: "text", text: "a" }] }],
    });
  });

  it("invoke_agent is an agent execution, execute_tool a tool call with arguments and result", () => {
    const m = mapJson(
      request([
        { id: ROOT, attrs: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner" } },
        {
          id: CHILD,
          parent: ROOT,
          attrs: {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": "search",
            "gen_ai.tool.call.arguments": '{"q":"otel"}',
            "gen_ai.tool.call.result": "3 hits",
          },
        },
      ]),
    );
    expect(byId(m.spans, ROOT).type).toBe("agent_execution");
    expect(byId(m.spans, CHILD)).toMatchObject({ type: "tool_call", input: { q: "otel" }, output: "3 hits" });
  });

  it("token counts beyond 2^53 - 1 or negative are ignored rather than failing the span", () => {
    const m = mapJson(
      request([
        {
          id: ROOT,
          attrs: { "gen_ai.system": "x", "gen_ai.usage.input_tokens": 2 ** 53, "gen_ai.usage.output_tokens": -1 },
        },
        {
          id: CHILD,
          parent: ROOT,
          attrs: {
            "gen_ai.system": "x",
            "gen_ai.usage.input_tokens": 2 ** 31,
            "gen_ai.usage.output_tokens": 2 ** 53 - 1,
          },
        },
      ]),
    );
    expect(byId(m.spans, ROOT)).toMatchObject({ tokens_input: null, tokens_output: null, tokens_total: null });
    // Counts past 32 bits are kept; a total past 2^53 - 1 (input + output here) is not a count.
    expect(byId(m.spans, CHILD)).toMatchObject({
      tokens_input: 2 ** 31,
      tokens_output: 2 ** 53 - 1,
      tokens_total: null,
    });
  });

  it("usage without a provider or model still counts tokens (e.g. on an agent span)", () => {
    const m = mapJson(
      request([{ id: ROOT, attrs: { "gen_ai.operation.name": "invoke_agent", "gen_ai.usage.input_tokens": 4 } }]),
    );
    expect(m.spans[0]).toMatchObject({ type: "agent_execution", tokens_input: 4, tokens_total: 4, llm: null });
  });
});

describe("OTLP adapter: HTTP conventions", () => {
  it("stable names: http.request.method, url.full, http.response.status_code", () => {
    const m = mapJson(
      request([
        {
          id: CHILD,
          parent: ROOT,
          kind: 3,
          attrs: {
            "http.request.method": "get",
            "url.full": "https://api.example.com/v1/items?x=1",
            "http.response.status_code": 404,
          },
        },
      ]),
    );
    expect(m.spans[0]).toMatchObject({
      type: "http_call",
      http_method: "GET",
      http_url: "https://api.example.com/v1/items?x=1",
      http_status: 404,
    });
  });

  it("older names: http.method, http.url, http.status_code", () => {
    const m = mapJson(
      request([
        {
          id: CHILD,
          parent: ROOT,
          attrs: { "http.method": "POST", "http.url": "http://svc/x", "http.status_code": 201 },
        },
      ]),
    );
    expect(m.spans[0]).toMatchObject({
      type: "http_call",
      http_method: "POST",
      http_url: "http://svc/x",
      http_status: 201,
    });
  });

  it("a server span without a full URL gets one from scheme, host, path and query", () => {
    const m = mapJson(
      request([
        {
          id: ROOT,
          kind: 2,
          attrs: {
            "http.request.method": "POST",
            "url.scheme": "https",
            "server.address": "portal.local",
            "server.port": 8443,
            "url.path": "/chat",
            "url.query": "v=2",
            "http.response.status_code": 200,
          },
        },
      ]),
    );
    expect(m.spans[0]).toMatchObject({
      http_method: "POST",
      http_url: "https://portal.local:8443/chat?v=2",
      http_status: 200,
    });
  });
});

describe("OTLP adapter: sessions and threads", () => {
  it("session.id on a span is the thread and the session", () => {
    const m = mapJson(request([{ id: ROOT }, { id: CHILD, parent: ROOT, attrs: { "session.id": "s-1" } }]));
    expect(m.executions[0]).toMatchObject({ thread_id: "s-1", session_id: "s-1" });
  });

  it("session.id on the resource counts too", () => {
    const m = mapJson(request([{ id: ROOT }], { "service.name": "bot", "session.id": "s-2" }));
    expect(m.executions[0]).toMatchObject({ thread_id: "s-2", session_id: "s-2" });
  });

  it("gen_ai.conversation.id is the thread when present", () => {
    const m = mapJson(request([{ id: ROOT, attrs: { "gen_ai.conversation.id": "conv-9", "session.id": "s-3" } }]));
    expect(m.executions[0]).toMatchObject({ thread_id: "conv-9", session_id: "s-3" });
  });
});

describe("OTLP adapter: GenAI convention families end to end", () => {
  const A = "00f067aa0ba90201";
  const B = "00f067aa0ba90202";
  const C = "00f067aa0ba90203";
  const D = "00f067aa0ba90204";
  const meta = {
    "ai.telemetry.functionId": "support-reply",
    "ai.telemetry.metadata.sessionId": "sess-1",
    "ai.telemetry.metadata.userId": "u-7",
  };

  it("a Vercel AI SDK generateText with a tool: names, types, tokens on the provider calls only, thread and identify", () => {
    const m = mapJson(
      request([
        {
          id: A,
          name: "ai.generateText",
          attrs: {
            ...meta,
            "ai.operationId": "ai.generateText",
            "ai.model.id": "gpt-4o-mini",
            "ai.prompt": '{"prompt":"Weather in Paris?"}',
            "ai.response.text": "Sunny.",
            "ai.usage.promptTokens": 130,
            "ai.usage.completionTokens": 20,
          },
        },
        {
          id: B,
          parent: A,
          start: 1,
          name: "ai.generateText.doGenerate",
          attrs: {
            ...meta,
            "ai.operationId": "ai.generateText.doGenerate",
            "ai.model.id": "gpt-4o-mini",
            "ai.model.provider": "openai.chat",
            "ai.prompt.messages": '[{"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]}]',
            "ai.response.toolCalls":
              '[{"toolCallType":"function","toolCallId":"c1","toolName":"weather","args":"{\\"city\\":\\"Paris\\"}"}]',
            "ai.response.finishReason": "tool-calls",
            "ai.usage.promptTokens": 100,
            "ai.usage.completionTokens": 12,
            "gen_ai.system": "openai.chat",
            "gen_ai.usage.input_tokens": 100,
            "gen_ai.usage.output_tokens": 12,
          },
        },
        {
          id: C,
          parent: A,
          start: 2,
          name: "ai.toolCall",
          attrs: {
            ...meta,
            "ai.operationId": "ai.toolCall",
            "ai.toolCall.name": "weather",
            "ai.toolCall.args": '{"city":"Paris"}',
            "ai.toolCall.result": '"sunny"',
          },
        },
      ]),
    );
    expect(byId(m.spans, A)).toMatchObject({
      type: "agent_execution",
      name: "support-reply",
      tokens_total: null,
      llm: null,
    });
    expect(byId(m.spans, B)).toMatchObject({
      type: "llm_call",
      name: "generateText.doGenerate",
      llm_model: "gpt-4o-mini",
      tokens_input: 100,
      tokens_output: 12,
      tokens_total: 112,
      llm: {
        provider: "openai",
        finishReasons: ["tool-calls"],
        usage: { inputTokens: 100, outputTokens: 12, totalTokens: 112 },
      },
      output: [
        { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "weather", arguments: { city: "Paris" } }] },
      ],
    });
    expect(byId(m.spans, C)).toMatchObject({
      type: "tool_call",
      name: "weather",
      input: { city: "Paris" },
      output: "sunny",
    });
    expect(m.executions[0]).toMatchObject({
      thread_id: "sess-1",
      session_id: "sess-1",
      identify_type: "user",
      identify_value: "u-7",
    });
    const attrs = byId(m.spans, B).metadata as { attributes: Record<string, unknown>; conventions: string[] };
    expect(attrs.conventions).toEqual(["vercel-ai", "gen_ai"]);
    expect(attrs.attributes["ai.prompt.messages"]).toBeUndefined(); // it is the input
    expect(attrs.attributes["ai.telemetry.metadata.sessionId"]).toBe("sess-1");
  });

  it("OpenInference: types embedding, retrieval and guardrail, an evaluator step, cache and reasoning tokens, session and user", () => {
    const m = mapJson(
      request([
        { id: A, attrs: { "openinference.span.kind": "AGENT", "session.id": "s-oi", "user.id": "u-oi" } },
        {
          id: B,
          parent: A,
          attrs: {
            "openinference.span.kind": "EMBEDDING",
            "embedding.model_name": "text-embedding-3-small",
            "embedding.embeddings.0.embedding.text": "hi",
            "embedding.embeddings.0.embedding.vector": [0.1, 0.2],
            "llm.token_count.prompt": 1,
            "llm.token_count.total": 1,
          },
        },
        {
          id: C,
          parent: A,
          attrs: { "openinference.span.kind": "RETRIEVER", "retrieval.documents.0.document.content": "doc" },
        },
        { id: D, parent: A, attrs: { "openinference.span.kind": "GUARDRAIL" } },
        {
          id: GRANDCHILD,
          parent: A,
          attrs: {
            "openinference.span.kind": "LLM",
            "llm.model_name": "o3",
            "llm.token_count.prompt": 50,
            "llm.token_count.completion": 30,
            "llm.token_count.prompt_details.cache_read": 40,
            "llm.token_count.completion_details.reasoning": 20,
          },
        },
        { id: CHILD, parent: A, attrs: { "openinference.span.kind": "EVALUATOR" } },
      ]),
    );
    expect(byId(m.spans, B)).toMatchObject({
      type: "embedding",
      llm_model: "text-embedding-3-small",
      tokens_total: 1,
      input: ["hi"],
      output: { embeddings: 1, dimensions: 2 },
      llm: { model: "text-embedding-3-small" },
    });
    expect(byId(m.spans, C)).toMatchObject({ type: "retrieval", output: [{ content: "doc" }] });
    expect(byId(m.spans, D).type).toBe("guardrail");
    expect(byId(m.spans, CHILD)).toMatchObject({ type: "workflow_step", step_type: "evaluator" });
    expect(byId(m.spans, GRANDCHILD).llm).toMatchObject({
      usage: { inputTokens: 50, outputTokens: 30, totalTokens: 80 },
      usageDetails: { cacheReadTokens: 40, reasoningTokens: 20 },
    });
    expect(m.executions[0]).toMatchObject({ thread_id: "s-oi", session_id: "s-oi", identify_value: "u-oi" });
  });

  it("Traceloop: workflow and task named by their entity, association properties as session, thread, identify and company", () => {
    const m = mapJson(
      request([
        {
          id: A,
          name: "joke.workflow",
          attrs: {
            "traceloop.span.kind": "workflow",
            "traceloop.entity.name": "joke",
            "traceloop.entity.input": '{"args":["a cat"],"kwargs":{}}',
            "traceloop.association.properties.session_id": "s-tl",
            "traceloop.association.properties.user_id": "u-tl",
            "traceloop.association.properties.customer_id": "acme",
          },
        },
        {
          id: B,
          parent: A,
          name: "write.task",
          attrs: { "traceloop.span.kind": "task", "traceloop.entity.name": "write" },
        },
      ]),
    );
    expect(byId(m.spans, A)).toMatchObject({ type: "workflow_execution", name: "joke", input: "a cat" });
    expect(byId(m.spans, B)).toMatchObject({ type: "workflow_step", step_type: "function", name: "write" });
    expect(m.executions[0]).toMatchObject({
      thread_id: "s-tl",
      session_id: "s-tl",
      identify_type: "user",
      identify_value: "u-tl",
      company_id: "acme",
    });
  });

  it("older GenAI message events are the span's messages, not log spans; other events stay logs", () => {
    const m = mapJson(
      request([
        {
          id: A,
          attrs: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "m" },
          events: [
            { name: "gen_ai.user.message", attrs: { content: "hi" } },
            { name: "gen_ai.choice", attrs: { finish_reason: "stop", message: '{"content":"hello"}' } },
            { name: "retry" },
          ],
        },
      ]),
    );
    expect(m.spans.map((s) => s.type)).toEqual(["llm_call", "log", "conversation_message", "conversation_message"]);
    expect(m.spans[0]).toMatchObject({
      input: [{ role: "user", parts: [{ type: "text", text: "hi" }] }],
      output: [{ role: "assistant", parts: [{ type: "text", text: "hello" }], finishReason: "stop" }],
    });
    expect(m.spans[1].id).toBe(`${A}-2`);
  });

  it("malformed convention attributes never fail the batch: each span is stored with what could be read", () => {
    const m = mapJson(
      request([
        {
          id: A,
          name: "bad openinference",
          attrs: {
            "openinference.span.kind": "LLM",
            "llm.model_name": "gpt-4o",
            "input.value": "{not json",
            "input.mime_type": "application/json",
            "llm.input_messages.999999.message.role": "user",
            "llm.input_messages.999999.message.content": "ignored",
            "llm.output_messages.0.message.role": "assistant",
            "llm.output_messages.0.message.content": "kept",
            "llm.token_count.prompt": "lots",
            "llm.token_count.completion": 7,
          },
        },
        {
          id: B,
          parent: A,
          name: "bad vercel",
          attrs: {
            "ai.operationId": "ai.generateText.doGenerate",
            "ai.prompt.messages": "[{",
            "ai.response.toolCalls": "null",
            "ai.usage.promptTokens": -1,
            "ai.telemetry.metadata.sessionId": "\u0000",
          },
        },
        {
          id: C,
          parent: A,
          name: "bad genai",
          attrs: {
            "gen_ai.operation.name": "chat",
            "gen_ai.input.messages": '{"role":"user"}',
            "gen_ai.output.messages": "[1, 2, 3]",
            "gen_ai.system_instructions": "[",
            "gen_ai.conversation.id": "",
          },
        },
        {
          id: D,
          parent: A,
          name: "bad traceloop",
          attrs: { "traceloop.span.kind": "tool", "traceloop.entity.input": "{", "traceloop.entity.output": "]" },
        },
      ]),
    );
    expect(m.rejected).toBe(0);
    expect(m.spans.filter((s) => s.type !== "conversation_message")).toHaveLength(4);
    expect(byId(m.spans, A)).toMatchObject({
      type: "llm_call",
      llm_model: "gpt-4o",
      tokens_input: null,
      tokens_output: 7,
      input: "{not json", // invalid JSON kept as the text it is
      output: [{ role: "assistant", parts: [{ type: "text", text: "kept" }] }],
    });
    expect(byId(m.spans, B)).toMatchObject({ type: "llm_call", input: null, output: null, tokens_input: null });
    expect(byId(m.spans, C)).toMatchObject({
      type: "llm_call",
      input: [{ role: "system", parts: [{ type: "text", text: "[" }] }],
      output: null,
    });
    expect(byId(m.spans, D)).toMatchObject({ type: "tool_call", input: "{", output: "]" });
    // The unreadable parts stay in the attributes.
    expect(
      (byId(m.spans, B).metadata as { attributes: Record<string, unknown> }).attributes["ai.prompt.messages"],
    ).toBe("[{");
  });
});

describe("OTLP adapter: several traces and resources in one request", () => {
  it("each trace is its own execution with its own service as agent", () => {
    const OTHER = "4bf92f3577b34da6a3ce929d0e0e4736";
    const body = {
      resourceSpans: [
        ...request([{ id: ROOT }], { "service.name": "a" }).resourceSpans,
        ...request([{ id: CHILD, trace: OTHER }], { "service.name": "b" }).resourceSpans,
      ],
    };
    const m = mapJson(body);
    expect(Object.fromEntries(m.executions.map((e) => [e.execution_id, e.agent]))).toEqual({
      [TRACE]: "a",
      [OTHER]: "b",
    });
  });
});

describe("OTLP codec", () => {
  it("binary protobuf and JSON decode to the same rows", () => {
    const body = request([
      { id: ROOT, attrs: { "gen_ai.request.model": "m", "gen_ai.usage.input_tokens": 3 } },
      { id: CHILD, parent: ROOT, events: [{ name: "note" }] },
    ]);
    const fromProto = mapExportRequest(decodeTraceRequest(encodeTraceRequest(body), "protobuf"));
    expect(fromProto).toEqual(mapJson(body));
  });

  it("enum names are tolerated in JSON (OTLP/JSON asks for numbers)", () => {
    const body = request([{ id: ROOT }]);
    const s = body.resourceSpans[0].scopeSpans[0].spans[0] as Record<string, unknown>;
    s.kind = "SPAN_KIND_CLIENT";
    s.status = { code: "STATUS_CODE_ERROR", message: "boom" };
    expect(mapJson(body).spans[0]).toMatchObject({
      status: "error",
      error: { message: "boom" },
      metadata: { spanKind: "client" },
    });
  });

  it("unknown JSON fields are ignored", () => {
    const body = request([{ id: ROOT }]) as Record<string, unknown>;
    body.somethingNew = { x: 1 };
    expect(mapJson(body).spans).toHaveLength(1);
  });

  it("a body of the wrong shape is a decode error", () => {
    expect(() => decodeTraceRequest(Buffer.from("not json"), "json")).toThrow(/not valid JSON/);
    expect(() => decodeTraceRequest(Buffer.from('{"resourceSpans": 3}'), "json")).toThrow(/array expected/);
    expect(() => decodeTraceRequest(Buffer.from("this is not protobuf"), "protobuf")).toThrow(/not an OTLP/);
  });
});

describe("unflattenIndexed", () => {
  it("builds arrays of objects from numbered keys and ignores others", () => {
    expect(
      unflattenIndexed({ "p.1.content": "b", "p.0.content": "a", "p.0.role": "user", "p.x": 1, other: 2 }, "p."),
    ).toEqual([{ content: "a", role: "user" }, { content: "b" }]);
    expect(unflattenIndexed({ a: 1 }, "p.")).toBeNull();
  });

  it("client keys cannot reach prototypes, and huge positions are ignored", () => {
    const out = unflattenIndexed(
      {
        "p.0.__proto__.polluted": "yes",
        "p.0.constructor.prototype.polluted": "yes",
        "p.4294967294.content": "far",
        "p.1.content": "ok",
      },
      "p.",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
    expect(out).toHaveLength(2);
    expect(out?.[1]).toEqual({ content: "ok" });
  });
});
