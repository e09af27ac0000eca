import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postLogs } from "@/app/api/otel/v1/logs/route";
import { POST as postTraces } from "@/app/api/otel/v1/traces/route";
import { GET as detailsGet } from "@/app/api/v1/runtime/v1/observability/executions/[id]/details/route";
import { decodeLogsResponse, decodeStatus } from "@/lib/contracts/otlp";
import { encodeLogsRequest } from "@/lib/ingest/sources/otlp/decode";
import { ctx, ORIGIN, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * The OTLP/HTTP logs receiver as a route on a real database: the protocol answers (as the traces
 * receiver gives them), and GenAI message events found as their span's messages through the read API.
 */

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const ns = (ms: number) => `${BigInt(T0 + ms) * 1_000_000n}`;
const traceId = (n: number) => n.toString(16).padStart(32, "c");
const spanId = (n: number) => n.toString(16).padStart(16, "d");
const s = (v: string) => ({ stringValue: v });
const kv = (key: string, value: object) => ({ key, value });
const body = (content: string) => ({ kvlistValue: { values: [kv("content", s(content))] } });

type Rec = Record<string, unknown>;
const logsBody = (records: Rec[]) => ({
  resourceLogs: [
    {
      resource: { attributes: [kv("service.name", s("genai-logs"))] },
      scopeLogs: [{ scope: { name: "opentelemetry.instrumentation.openai_v2" }, logRecords: records }],
    },
  ],
});
const messageEvents = (trace: string, span: string): Rec[] => [
  { timeUnixNano: ns(1), traceId: trace, spanId: span, eventName: "gen_ai.system.message", body: body("Be brief.") },
  { timeUnixNano: ns(2), traceId: trace, spanId: span, eventName: "gen_ai.user.message", body: body("Hi there") },
  {
    timeUnixNano: ns(9),
    traceId: trace,
    spanId: span,
    eventName: "gen_ai.choice",
    body: {
      kvlistValue: {
        values: [kv("finish_reason", s("stop")), kv("message", body("Hello!")), kv("index", { intValue: "0" })],
      },
    },
  },
];
const llmSpan = (trace: string, span: string) => ({
  resourceSpans: [
    {
      resource: { attributes: [kv("service.name", s("genai-logs"))] },
      scopeSpans: [
        {
          scope: { name: "opentelemetry.instrumentation.openai_v2" },
          spans: [
            {
              traceId: trace,
              spanId: span,
              name: "chat gpt-4o-mini",
              kind: 3,
              startTimeUnixNano: ns(0),
              endTimeUnixNano: ns(10),
              attributes: [
                kv("gen_ai.operation.name", s("chat")),
                kv("gen_ai.request.model", s("gpt-4o-mini")),
                kv("gen_ai.usage.input_tokens", { intValue: "12" }),
                kv("gen_ai.usage.output_tokens", { intValue: "3" }),
              ],
            },
          ],
        },
      ],
    },
  ],
});

type DetailSpan = {
  id: string;
  parentId: string | null;
  type: string;
  name: string;
  status: string;
  message?: { role: string; content: unknown } | null;
  error?: { message: string } | null;
};

describe("OTLP/HTTP logs receiver", () => {
  const app = withAppDb();
  let key = "";
  let workspaceId = "";

  beforeAll(async () => {
    ({ apiKey: key, workspaceId } = await createKeyedWorkspace(app.db(), "OTLP logs"));
  });

  const send = async (
    route: (r: Request) => Promise<Response>,
    path: string,
    payload: BodyInit,
    headers: Record<string, string> = { "content-type": "application/json" },
    auth: Record<string, string> = { authorization: `Bearer ${key}` },
  ) => {
    const res = await route(
      new Request(`${ORIGIN}${path}`, { method: "POST", headers: { ...headers, ...auth }, body: payload }),
    );
    await app.drained();
    return res;
  };
  const post = (payload: BodyInit, headers?: Record<string, string>, auth?: Record<string, string>) =>
    send(postLogs, "/api/otel/v1/logs", payload, headers, auth);
  const details = async (id: string) =>
    (
      await detailsGet(
        request(`/api/v1/runtime/v1/observability/executions/${id}/details`, { bearer: key }),
        ctx({ id }),
      )
    )
      .json()
      .then((d) => d as { execution: Record<string, unknown>; traces: DetailSpan[] });
  const spanCount = () => app.db().prisma.span.count({ where: { workspaceId } });

  it("message events sent after their span become its messages; a resend stores nothing twice", async () => {
    const [trace, span] = [traceId(1), spanId(1)];
    expect((await send(postTraces, "/api/otel/v1/traces", JSON.stringify(llmSpan(trace, span)))).status).toBe(200);
    const res = await post(JSON.stringify(logsBody(messageEvents(trace, span))));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({});

    const d = await details(trace);
    const messages = d.traces.filter((x) => x.type === "conversation_message");
    expect(messages.map((m) => [m.parentId, m.message?.role, m.message?.content])).toEqual([
      [span, "system", "Be brief."],
      [span, "user", "Hi there"],
      [span, "assistant", "Hello!"],
    ]);
    expect(d.execution).toMatchObject({
      name: "chat gpt-4o-mini",
      agent: "genai-logs",
      tokens: { input: 12, output: 3, total: 15 },
    });

    const before = await spanCount();
    const again = await post(gzipSync(JSON.stringify(logsBody(messageEvents(trace, span)))) as BodyInit, {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    expect(again.status).toBe(200);
    expect(await spanCount()).toBe(before);
  });

  it("records may come before their span (protobuf): the span arriving later finds them as its children", async () => {
    const [trace, span] = [traceId(2), spanId(2)];
    const records = [
      ...messageEvents(trace, span),
      { timeUnixNano: ns(5), traceId: trace, spanId: span, severityText: "INFO", body: s("retrying once") },
    ];
    const res = await post(encodeLogsRequest(logsBody(records)) as BodyInit, {
      "content-type": "application/x-protobuf",
    });
    expect(res.status).toBe(200);
    expect(decodeLogsResponse(new Uint8Array(await res.arrayBuffer()))).toEqual({});
    await send(postTraces, "/api/otel/v1/traces", JSON.stringify(llmSpan(trace, span)));
    const d = await details(trace);
    const root = d.traces.find((x) => x.id === span);
    expect(root).toMatchObject({ type: "llm_call", name: "chat gpt-4o-mini" });
    expect(d.traces.filter((x) => x.parentId === span).map((x) => [x.type, x.name])).toEqual(
      expect.arrayContaining([
        ["conversation_message", "user"],
        ["log", "retrying once"],
      ]),
    );
    expect(d.execution).toMatchObject({ name: "chat gpt-4o-mini", hasConversation: true });
  });

  it("records without a trace and span id are rejected in partial_success, with the reason; the rest is stored", async () => {
    const [trace, span] = [traceId(3), spanId(3)];
    const res = await post(
      JSON.stringify(
        logsBody([
          { timeUnixNano: ns(1), traceId: trace, spanId: span, body: s("kept") },
          { timeUnixNano: ns(2), body: s("orphan") },
        ]),
      ),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: "1",
        errorMessage: expect.stringMatching(
          /^1 log record\(s\) rejected: log record 1: traceId and spanId are required/,
        ),
      },
    });
    expect((await details(trace)).traces.map((x) => x.name)).toEqual(["kept"]);
  });

  it("a bad key gets 401, an unknown media type 415 and a body that is not a logs request 400, storing nothing", async () => {
    const before = await spanCount();
    const payload = JSON.stringify(logsBody(messageEvents(traceId(4), spanId(4))));
    const bad = await post(payload, { "content-type": "application/json" }, { authorization: "Bearer rl_nope" });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 16 });
    expect((await post(payload, { "content-type": "text/plain" })).status).toBe(415);
    const proto = await post("not protobuf", { "content-type": "application/x-protobuf" });
    expect(proto.status).toBe(400);
    expect(decodeStatus(new Uint8Array(await proto.arrayBuffer()))).toMatchObject({
      code: 3,
      message: expect.stringMatching(/not an OTLP ExportLogsServiceRequest/),
    });
    expect(await spanCount()).toBe(before);
  });
});
