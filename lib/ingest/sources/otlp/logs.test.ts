import { describe, expect, it } from "vitest";
import { decodeLogsRequest, encodeLogsRequest } from "./decode.ts";
import { mapLogsRequest } from "./logs.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const T0 = BigInt(Date.parse("2026-03-01T10:00:00.000Z")) * 1_000_000n;
const ns = (ms: number) => String(T0 + BigInt(ms) * 1_000_000n);
const s = (v: string) => ({ stringValue: v });
const kv = (key: string, value: object) => ({ key, value });

type Rec = Record<string, unknown>;
const request = (records: Rec[], service = "logs-agent") => ({
  resourceLogs: [
    {
      resource: { attributes: [kv("service.name", s(service))] },
      scopeLogs: [{ scope: { name: "opentelemetry.instrumentation.openai_v2" }, logRecords: records }],
    },
  ],
});
const rec = (ms: number, eventName: string, body: object, extra: Rec = {}): Rec => ({
  timeUnixNano: ns(ms),
  traceId: TRACE,
  spanId: SPAN,
  eventName,
  body,
  ...extra,
});
const map = (records: Rec[]) =>
  mapLogsRequest(decodeLogsRequest(Buffer.from(JSON.stringify(request(records))), "json"));

describe("OTLP log records -> span rows", () => {
  const chat = [
    rec(1, "gen_ai.system.message", { kvlistValue: { values: [kv("content", s("Be brief."))] } }),
    rec(2, "gen_ai.user.message", { kvlistValue: { values: [kv("content", s("Hi"))] } }),
    rec(3, "gen_ai.assistant.message", { kvlistValue: { values: [kv("content", s("Hello!"))] } }),
    rec(4, "gen_ai.user.message", { kvlistValue: { values: [kv("content", s("Weather in Paris?"))] } }),
    rec(5, "gen_ai.choice", {
      kvlistValue: {
        values: [
          kv("index", { intValue: "0" }),
          kv("finish_reason", s("stop")),
          kv("message", { kvlistValue: { values: [kv("content", s("Sunny."))] } }),
        ],
      },
    }),
  ];

  it("GenAI message events become the span's new turns; history a call resends stays a log child", () => {
    const m = map(chat);
    expect(m.rejected).toBe(0);
    expect(m.spans.every((r) => r.execution_id === TRACE && r.parent_id === SPAN)).toBe(true);
    const messages = m.spans.filter((r) => r.type === "conversation_message");
    expect(messages.map((r) => [r.message_role, (r.message as { content: unknown }).content])).toEqual([
      ["user", "Weather in Paris?"],
      ["assistant", "Sunny."],
    ]);
    expect((messages[1].message as { metadata: Rec }).metadata).toMatchObject({
      sourceSpanId: SPAN,
      finishReason: "stop",
    });
    const history = m.spans.filter((r) => r.type === "log");
    expect(history.map((r) => (r.metadata as { message: { role: string } }).message.role)).toEqual([
      "system",
      "user",
      "assistant",
    ]);
    expect(m.executions).toEqual([expect.objectContaining({ execution_id: TRACE, agent: "logs-agent" })]);
    expect(m.executions[0].agent_from_root).toBe(false);
  });

  it("a resend maps to the same ids (stored once); another record gets another id", () => {
    const ids = map(chat).spans.map((r) => r.id);
    expect(map(chat).spans.map((r) => r.id)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith(`${SPAN}-l`))).toBe(true);
  });

  it("records of one millisecond keep their order (ids sort by the nanosecond time)", () => {
    const sameMs = ["first", "second", "third"].map((text, i) => ({
      ...rec(0, "app.step", s(text)),
      timeUnixNano: String(T0 + BigInt(900 - i * 300)),
    }));
    const rows = map(sameMs.reverse());
    const sorted = [...rows.spans].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(new Set(rows.spans.map((r) => r.started_at)).size).toBe(1);
    expect(sorted.map((r) => (r.metadata as { body: string }).body)).toEqual(["third", "second", "first"]);
  });

  it("the inference details event gives the system instructions, new input and output as turns", () => {
    const details = rec(
      7,
      "gen_ai.client.inference.operation.details",
      {},
      {
        attributes: [
          kv("gen_ai.system_instructions", s(JSON.stringify([{ type: "text", content: "Be brief." }]))),
          kv(
            "gen_ai.input.messages",
            s(JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Weather?" }] }])),
          ),
          kv(
            "gen_ai.output.messages",
            s(
              JSON.stringify([
                {
                  role: "assistant",
                  parts: [{ type: "tool_call", id: "c1", name: "weather", arguments: { city: "Paris" } }],
                  finish_reason: "tool_call",
                },
              ]),
            ),
          ),
          kv("gen_ai.conversation.id", s("conv-9")),
        ],
      },
    );
    const m = map([details]);
    expect(m.spans.map((r) => [r.type, r.message_role])).toEqual([
      ["conversation_message", "system"],
      ["conversation_message", "user"],
      ["conversation_message", "assistant"],
    ]);
    expect((m.spans[2].message as { content: unknown }).content).toEqual({
      type: "parts",
      parts: [{ type: "tool_call", id: "c1", name: "weather", arguments: { city: "Paris" } }],
    });
    expect(m.executions[0].thread_id).toBe("conv-9");
  });

  it("other records are log children (an exception an error); records without a span are rejected with why", () => {
    const m = mapLogsRequest(
      decodeLogsRequest(
        encodeLogsRequest(
          request([
            { timeUnixNano: ns(1), traceId: TRACE, spanId: SPAN, severityText: "INFO", body: s("tool started\nmore") },
            {
              observedTimeUnixNano: ns(2),
              traceId: TRACE,
              spanId: SPAN,
              severityNumber: 17,
              attributes: [kv("exception.type", s("TimeoutError")), kv("exception.message", s("took too long"))],
            },
            { timeUnixNano: ns(3), body: s("no trace") },
            { timeUnixNano: ns(4), traceId: TRACE, body: s("no span") },
          ]),
        ),
        "protobuf",
      ),
    );
    expect(m.spans.map((r) => [r.type, r.name, r.status])).toEqual([
      ["log", "tool started", "success"],
      ["error", "TimeoutError", "error"],
    ]);
    expect(m.spans[1].error).toMatchObject({ name: "TimeoutError", message: "took too long" });
    expect(m.spans[1].started_at).toBe("2026-03-01T10:00:00.002Z");
    expect(m.rejected).toBe(2);
    expect(m.reasons).toEqual([
      expect.stringMatching(/^log record 2: traceId and spanId are required/),
      expect.stringMatching(/^log record 3: traceId and spanId are required/),
    ]);
  });

  it("OTLP/JSON ids and times that cannot be read reject their record alone", () => {
    const m = map([
      { ...rec(1, "x", s("ok")) },
      { ...rec(2, "x", s("bad id")), spanId: "xyz" },
      { ...rec(3, "x", s("bad time")), timeUnixNano: "-1" },
    ]);
    expect(m.spans).toHaveLength(1);
    expect(m.reasons).toEqual([
      "log record 1: spanId must be empty or 8 bytes (16 hex characters)",
      expect.stringMatching(/^log record 2: timeUnixNano: /),
    ]);
  });
});
