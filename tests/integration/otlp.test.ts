import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postOtlp } from "@/app/api/otel/v1/traces/route";
import { GET as detailsGet } from "@/app/api/v1/runtime/v1/observability/executions/[id]/details/route";
import { decodeStatus, decodeTraceResponse } from "@/lib/contracts/otlp";
import { encodeTraceRequest } from "@/lib/ingest/sources/otlp/decode";
import { ctx, ORIGIN, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * The OTLP/HTTP receiver called as a route on a real database (and queue with REDIS_URL): the
 * protocol answers, and what an export stores, read back through the read API.
 */

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const ns = (ms: number) => `${BigInt(T0 + ms) * 1_000_000n}`;
const traceId = (n: number) => n.toString(16).padStart(32, "a");
const spanId = (n: number) => n.toString(16).padStart(16, "b");

type S = { trace: string; id: string; parent?: string; name: string; start: number; end: number; attrs?: object[] };
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });

function exportBody(spans: S[], service = "otlp-agent") {
  return {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", service)] },
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
              attributes: s.attrs ?? [],
            })),
          },
        ],
      },
    ],
  };
}

describe("OTLP/HTTP receiver", () => {
  const app = withAppDb();
  let key = "";
  let otherKey = "";
  let workspaceId = "";

  beforeAll(async () => {
    ({ apiKey: key, workspaceId } = await createKeyedWorkspace(app.db(), "OTLP"));
    ({ apiKey: otherKey } = await createKeyedWorkspace(app.db(), "Other"));
  });

  const post = async (
    body: BodyInit,
    headers: Record<string, string> = { "content-type": "application/json" },
    auth: Record<string, string> = { authorization: `Bearer ${key}` },
  ) => {
    const res = await postOtlp(
      new Request(`${ORIGIN}/api/otel/v1/traces`, { method: "POST", headers: { ...headers, ...auth }, body }),
    );
    await app.drained();
    return res;
  };
  const postJson = (body: unknown) => post(JSON.stringify(body));
  const details = async (id: string, bearer = key) =>
    detailsGet(request(`/api/v1/runtime/v1/observability/executions/${id}/details`, { bearer }), ctx({ id }));
  const counts = async () => ({
    spans: await app.db().prisma.span.count({ where: { workspaceId } }),
    executions: await app.db().prisma.execution.count({ where: { workspaceId } }),
  });

  it("answers 200 with an empty ExportTraceServiceResponse in the request's encoding", async () => {
    const json = await postJson(exportBody([{ trace: traceId(1), id: spanId(1), name: "root", start: 0, end: 10 }]));
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toBe("application/json");
    expect(await json.json()).toEqual({});

    const body = exportBody([{ trace: traceId(2), id: spanId(2), name: "root", start: 0, end: 10 }]);
    const proto = await post(encodeTraceRequest(body) as BodyInit, { "content-type": "application/x-protobuf" });
    expect(proto.status).toBe(200);
    expect(proto.headers.get("content-type")).toBe("application/x-protobuf");
    expect(decodeTraceResponse(new Uint8Array(await proto.arrayBuffer()))).toEqual({});
    expect((await (await details(traceId(2))).json()).execution).toMatchObject({ source: "otlp", agent: "otlp-agent" });
  });

  it("accepts gzip bodies and the x-runlens-api-key header", async () => {
    const body = gzipSync(
      JSON.stringify(exportBody([{ trace: traceId(3), id: spanId(3), name: "gz", start: 0, end: 5 }])),
    );
    const res = await post(
      body as BodyInit,
      { "content-type": "application/json; charset=utf-8", "content-encoding": "gzip" },
      { "x-runlens-api-key": key },
    );
    expect(res.status).toBe(200);
    expect((await (await details(traceId(3))).json()).execution.name).toBe("gz");
  });

  it("a bad or missing key gets 401 with a Status body and stores nothing", async () => {
    const before = await counts();
    const body = JSON.stringify(exportBody([{ trace: traceId(4), id: spanId(4), name: "x", start: 0, end: 5 }]));
    const bad = await post(body, { "content-type": "application/json" }, { authorization: "Bearer rl_nope" });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 16, message: expect.stringMatching(/invalid or revoked/) });
    const none = await post(
      encodeTraceRequest(JSON.parse(body)) as BodyInit,
      { "content-type": "application/x-protobuf" },
      {},
    );
    expect(none.status).toBe(401);
    expect(decodeStatus(new Uint8Array(await none.arrayBuffer()))).toMatchObject({ code: 16 });
    expect(await counts()).toEqual(before);
  });

  it("an undecodable body gets 400 with a google.rpc.Status (and a BadRequest detail) in its encoding", async () => {
    const json = await post("{not json");
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({
      code: 3,
      message: expect.stringMatching(/not valid JSON/),
      details: [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "body" }] }],
    });
    const proto = await post("this is not protobuf", { "content-type": "application/x-protobuf" });
    expect(proto.status).toBe(400);
    expect(proto.headers.get("content-type")).toBe("application/x-protobuf");
    expect(decodeStatus(new Uint8Array(await proto.arrayBuffer()))).toMatchObject({
      code: 3,
      message: expect.stringMatching(/not an OTLP ExportTraceServiceRequest/),
      details: [{ typeUrl: "type.googleapis.com/google.rpc.BadRequest" }],
    });
    const badGzip = await post("plain", { "content-type": "application/json", "content-encoding": "gzip" });
    expect(badGzip.status).toBe(400);
  });

  it("other content types and encodings get 415; a body over the limit 413, also once gunzipped", async () => {
    expect((await post("{}", { "content-type": "text/plain" })).status).toBe(415);
    expect((await post("{}", { "content-type": "application/json", "content-encoding": "br" })).status).toBe(415);
    const big = `{"resourceSpans":[],"pad":"${"x".repeat(6 * 1024 * 1024)}"}`;
    const tooBig = await post(big);
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ code: 8 });
    expect(
      (await post(gzipSync(big) as BodyInit, { "content-type": "application/json", "content-encoding": "gzip" }))
        .status,
    ).toBe(413);
  });

  it("an empty request succeeds", async () => {
    const res = await postJson({});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });

  it("rejects invalid spans alone: partial_success counts them, the valid ones are stored", async () => {
    const t = traceId(5);
    const body = exportBody([
      { trace: t, id: spanId(50), name: "root", start: 0, end: 100 },
      { trace: t, id: "", name: "no id", start: 0, end: 1 },
      { trace: t, id: "zz", name: "bad id", start: 0, end: 1 },
    ]);
    const res = await postJson(body);
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer.partialSuccess).toMatchObject({ rejectedSpans: "2", errorMessage: expect.stringMatching(/spanId/) });
    const page = await (await details(t)).json();
    expect(page.traces.map((s: { id: string }) => s.id)).toEqual([spanId(50)]);

    const proto = await post(encodeTraceRequest(body) as BodyInit, { "content-type": "application/x-protobuf" });
    expect(decodeTraceResponse(new Uint8Array(await proto.arrayBuffer())).partialSuccess).toMatchObject({
      rejectedSpans: "2",
    });
  });

  it("children before parents over several exports: the tree and the rollup come out right", async () => {
    const t = traceId(6);
    const root = spanId(60);
    const child = spanId(61);
    const llm = spanId(62);
    await postJson(
      exportBody([
        {
          trace: t,
          id: llm,
          parent: child,
          name: "chat",
          start: 20,
          end: 40,
          attrs: [
            str("gen_ai.request.model", "gpt-4o"),
            int("gen_ai.usage.input_tokens", 10),
            int("gen_ai.usage.output_tokens", 4),
          ],
        },
      ]),
    );
    // Only an orphan so far: it is shown at the top of the tree.
    let page = await (await details(t)).json();
    expect(page.traces).toMatchObject([{ id: llm, depth: 0 }]);
    await postJson(exportBody([{ trace: t, id: child, parent: root, name: "plan", start: 10, end: 50 }]));
    await postJson(
      exportBody([{ trace: t, id: root, name: "agent run", start: 0, end: 60, attrs: [str("session.id", "sess-6")] }]),
    );
    page = await (await details(t)).json();
    expect(page.traces.map((s: { id: string; depth: number }) => [s.id, s.depth])).toEqual([
      [root, 0],
      [child, 1],
      [llm, 2],
    ]);
    expect(page.execution).toMatchObject({
      name: "agent run",
      type: "custom_execution",
      status: "success",
      durationMs: 60,
      spanCount: 3,
      tokens: { input: 10, output: 4, total: 14 },
      threadId: "sess-6",
      sessionId: "sess-6",
      source: "otlp",
    });
  });

  it("resending the same export changes no count and no rollup", async () => {
    const t = traceId(7);
    const body = exportBody([
      { trace: t, id: spanId(70), name: "root", start: 0, end: 30 },
      {
        trace: t,
        id: spanId(71),
        parent: spanId(70),
        name: "chat",
        start: 5,
        end: 25,
        attrs: [
          str("gen_ai.system", "openai"),
          int("gen_ai.usage.prompt_tokens", 3),
          int("gen_ai.usage.completion_tokens", 2),
        ],
      },
    ]);
    await postJson(body);
    const before = await counts();
    const execBefore = (await (await details(t)).json()).execution;
    await postJson(body);
    await post(encodeTraceRequest(body) as BodyInit, { "content-type": "application/x-protobuf" });
    expect(await counts()).toEqual(before);
    const execAfter = (await (await details(t)).json()).execution;
    expect(execAfter).toMatchObject({ spanCount: 2, tokens: { input: 3, output: 2, total: 5 } });
    expect({ ...execAfter, updatedAt: undefined }).toEqual({ ...execBefore, updatedAt: undefined });
  });

  it("GenAI conventions through the route: a Vercel AI SDK run typed and named, its thread and user, malformed attributes stored as far as readable", async () => {
    const t = traceId(9);
    const meta = [
      str("ai.telemetry.functionId", "support-reply"),
      str("ai.telemetry.metadata.sessionId", "chat-9"),
      str("ai.telemetry.metadata.userId", "user-9"),
    ];
    const res = await postJson(
      exportBody([
        {
          trace: t,
          id: spanId(90),
          name: "ai.generateText",
          start: 0,
          end: 50,
          attrs: [...meta, str("ai.operationId", "ai.generateText"), str("ai.prompt", '{"prompt":"Hi?"}')],
        },
        {
          trace: t,
          id: spanId(91),
          parent: spanId(90),
          name: "ai.generateText.doGenerate",
          start: 5,
          end: 45,
          attrs: [
            ...meta,
            str("ai.operationId", "ai.generateText.doGenerate"),
            str("ai.model.id", "gpt-4o-mini"),
            str("ai.model.provider", "openai.chat"),
            str("ai.prompt.messages", '[{"role":"user","content":[{"type":"text","text":"Hi?"}]}]'),
            str("ai.response.text", "Hello!"),
            int("ai.usage.promptTokens", 9),
            int("ai.usage.completionTokens", 3),
          ],
        },
        {
          trace: t,
          id: spanId(92),
          parent: spanId(90),
          name: "broken",
          start: 46,
          end: 48,
          attrs: [
            str("openinference.span.kind", "LLM"),
            str("input.value", "{not json"),
            str("input.mime_type", "application/json"),
            str("llm.input_messages.999999.message.role", "user"),
            str("llm.token_count.prompt", "many"),
            int("llm.token_count.completion", 2),
          ],
        },
      ]),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({}); // no span rejected
    const page = await (await details(t)).json();
    expect(page.execution).toMatchObject({
      name: "support-reply",
      type: "agent_execution",
      spanCount: 5, // 3 sent, and the first LLM call's question and answer as conversation turns
      hasConversation: true,
      threadId: "chat-9",
      sessionId: "chat-9",
      tokens: { input: 9, output: 5, total: 14 }, // both LLM calls; the agent run's own totals are not counted again
    });
    const span = (id: string) => page.traces.find((s: { id: string }) => s.id === id);
    expect(span(spanId(91))).toMatchObject({
      type: "llm_call",
      llm: { model: "gpt-4o-mini", provider: "openai", usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 } },
      input: [{ role: "user", parts: [{ type: "text", text: "Hi?" }] }],
      output: [{ role: "assistant", parts: [{ type: "text", text: "Hello!" }] }],
    });
    expect(span(spanId(92))).toMatchObject({
      type: "llm_call",
      input: "{not json",
      llm: { usage: { outputTokens: 2 } },
    });
    const row = await app.db().prisma.execution.findFirst({ where: { workspaceId, id: t } });
    expect(row).toMatchObject({ identifyType: "user", identifyValue: "user-9" });
  });

  it("one workspace never sees another's OTLP traces", async () => {
    const t = traceId(8);
    await postJson(exportBody([{ trace: t, id: spanId(80), name: "mine", start: 0, end: 1 }]));
    expect((await details(t)).status).toBe(200);
    expect((await details(t, otherKey)).status).toBe(404);
  });
});
