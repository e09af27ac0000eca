import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Span } from "@/lib/contracts/executions";
import { createTestDb, redisUrl, type TestDb, testServerUrl } from "../helpers/db";
import { type RunningServer, startPortal } from "../helpers/server";

/**
 * The real OpenTelemetry Node SDK exporting to a running portal (`next start`) with both OTLP
 * exporters: binary protobuf (configured by the documented environment variables, batched) and
 * JSON (configured in code, one export per ended span, so children arrive before their parents).
 * Results are read back through the read API, and in the database.
 */

/** Records each export's result (the exporters report partial success and failures there). */
class Recording implements SpanExporter {
  results: ExportResult[] = [];
  constructor(private inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
    this.inner.export(spans, (r) => {
      this.results.push(r);
      done(r);
    });
  }
  shutdown() {
    return this.inner.shutdown();
  }
  forceFlush() {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

describe("OpenTelemetry SDK -> OTLP/HTTP -> running portal", () => {
  let server: RunningServer;
  let db: TestDb | null = null;
  const providers: NodeTracerProvider[] = [];

  beforeAll(async () => {
    if (testServerUrl()) db = await createTestDb();
    server = await startPortal({
      databaseUrl: db?.url ?? null,
      env: redisUrl ? { REDIS_URL: redisUrl, RUNLENS_QUEUE_PREFIX: `runlens-otlp-${Date.now()}` } : {},
    });
  }, 300_000);

  afterAll(async () => {
    for (const p of providers) await p.shutdown();
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
    delete process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
    await server?.stop();
    await db?.drop();
  });

  function provider(exporter: SpanExporter, batched: boolean, service: string) {
    const p = new NodeTracerProvider({
      resource: resourceFromAttributes({ "service.name": service }),
      spanProcessors: [batched ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter)],
    });
    providers.push(p);
    return p;
  }

  /** An agent run: nested spans, a GenAI call with tokens, an HTTP client call, a failing tool. */
  function agentRun(p: NodeTracerProvider, sessionId: string): string {
    const tracer = p.getTracer("runlens-test", "1.0.0");
    const under = (span: ReturnType<typeof tracer.startSpan>): Context => trace.setSpan(ROOT_CONTEXT, span);
    const root = tracer.startSpan("handle ticket", { attributes: { "session.id": sessionId } }, ROOT_CONTEXT);
    const plan = tracer.startSpan("plan", {}, under(root));
    const llm = tracer.startSpan(
      "chat gpt-4o",
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": "openai",
          "gen_ai.request.model": "gpt-4o",
          "gen_ai.usage.input_tokens": 11,
          "gen_ai.usage.output_tokens": 7,
          "gen_ai.input.messages": JSON.stringify([
            { role: "user", parts: [{ type: "text", content: "Where is my order?" }] },
          ]),
          "gen_ai.output.messages": JSON.stringify([
            { role: "assistant", parts: [{ type: "text", content: "On its way." }] },
          ]),
        },
      },
      under(plan),
    );
    llm.end();
    plan.end();
    const http = tracer.startSpan(
      "GET",
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "http.request.method": "GET",
          "url.full": "https://orders.example.com/v1/orders/42",
          "http.response.status_code": 200,
        },
      },
      under(root),
    );
    http.end();
    const tool = tracer.startSpan("refund tool", {}, under(root));
    tool.recordException(new RangeError("amount exceeds limit"));
    tool.setStatus({ code: SpanStatusCode.ERROR, message: "refund failed" });
    tool.end();
    root.end();
    return root.spanContext().traceId;
  }

  async function get(path: string) {
    const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.apiKey}` } });
    return { status: res.status, body: await res.json() };
  }

  /** Polls the read API until the execution has `count` spans (ingest may go through the queue). */
  async function executionDetails(traceId: string, count: number) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { status, body } = await get(`/api/v1/runtime/v1/observability/executions/${traceId}/details`);
      // Both reads must have caught up: the spans and the execution row are two statements, so
      // while batches still commit the second can see a batch the first did not.
      const done = status === 200 && body.tracesTotal >= count && body.execution.spanCount >= count;
      if (done || Date.now() > deadline) return body;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  function expectAgentRun(
    details: { execution: Record<string, unknown>; traces: Span[] },
    traceId: string,
    service: string,
  ) {
    const spans = details.traces;
    const byName = (name: string) => spans.find((s) => s.name === name)!;
    const root = byName("handle ticket");
    expect(details.execution).toMatchObject({
      id: traceId,
      agent: service,
      name: "handle ticket",
      type: "custom_execution",
      status: "success",
      source: "otlp",
      spanCount: 8, // 6 and the LLM call's question and answer as conversation turns
      hasConversation: true,
      tokens: { input: 11, output: 7, total: 18 },
      threadId: `sess-${service}`,
      sessionId: `sess-${service}`,
    });
    expect(root).toMatchObject({ parentId: null, depth: 0 });
    expect(root.id).toMatch(/^[0-9a-f]{16}$/);
    expect(byName("plan")).toMatchObject({ parentId: root.id, depth: 1 });
    expect(byName("chat gpt-4o")).toMatchObject({
      parentId: byName("plan").id,
      depth: 2,
      type: "llm_call",
      llm: { model: "gpt-4o", provider: "openai", usage: { inputTokens: 11, outputTokens: 7, totalTokens: 18 } },
      input: [{ role: "user", parts: [{ type: "text", text: "Where is my order?" }] }],
      output: [{ role: "assistant", parts: [{ type: "text", text: "On its way." }] }],
    });
    expect(byName("GET")).toMatchObject({
      parentId: root.id,
      type: "http_call",
      http: { method: "GET", url: "https://orders.example.com/v1/orders/42", statusCode: 200 },
    });
    const tool = byName("refund tool");
    expect(tool).toMatchObject({
      status: "error",
      error: { name: "RangeError", message: "amount exceeds limit", stack: expect.stringContaining("RangeError") },
    });
    expect(byName("RangeError")).toMatchObject({
      type: "error",
      parentId: tool.id,
      depth: 2,
      error: { name: "RangeError", message: "amount exceeds limit" },
    });
  }

  it("protobuf exporter configured by the OTEL_EXPORTER_OTLP_* environment variables (gzip on)", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `${server.url}/api/otel`;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = `authorization=Bearer%20${server.apiKey}`;
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = "gzip";
    const exporter = new Recording(new ProtoExporter());
    const p = provider(exporter, true, "proto-agent");
    const traceId = agentRun(p, "sess-proto-agent");
    await p.forceFlush();
    expect(exporter.results.length).toBeGreaterThan(0);
    expect(exporter.results.every((r) => r.code === 0)).toBe(true);
    expectAgentRun(await executionDetails(traceId, 8), traceId, "proto-agent");
  });

  it("JSON exporter, one export per span (children before parents), key in x-runlens-api-key", async () => {
    const exporter = new Recording(
      new JsonExporter({ url: `${server.url}/api/otel/v1/traces`, headers: { "x-runlens-api-key": server.apiKey } }),
    );
    const p = provider(exporter, false, "json-agent");
    const traceId = agentRun(p, "sess-json-agent");
    await p.forceFlush();
    expect(exporter.results).toHaveLength(5); // one per OTel span; the exception event is not exported alone
    expect(exporter.results.every((r) => r.code === 0)).toBe(true);
    expectAgentRun(await executionDetails(traceId, 8), traceId, "json-agent");
  });

  // Counting rows needs this file's own Postgres database.
  it.skipIf(!testServerUrl())("a resent export changes no count", async () => {
    const counts = async () => {
      const spans = await db!.prisma.span.count();
      const executions = await db!.prisma.execution.count();
      return { spans, executions };
    };
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "resend" } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "0af7651916cd43dd8448eb211c80319c",
                  spanId: "b7ad6b7169203331",
                  name: "once",
                  startTimeUnixNano: "1767225600000000000",
                  endTimeUnixNano: "1767225601000000000",
                },
              ],
            },
          ],
        },
      ],
    };
    const send = () =>
      fetch(`${server.url}/api/otel/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.apiKey}` },
        body: JSON.stringify(body),
      });
    expect((await send()).status).toBe(200);
    await executionDetails("0af7651916cd43dd8448eb211c80319c", 1);
    const before = await counts();
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    await executionDetails("0af7651916cd43dd8448eb211c80319c", 1);
    expect(await counts()).toEqual(before);
  });

  it("the running server answers 401, 400 and partial success as OTLP asks", async () => {
    const send = (body: string, key = server.apiKey) =>
      fetch(`${server.url}/api/otel/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body,
      });
    const unauthorized = await send("{}", "rl_wrong");
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ code: 16 });
    const bad = await send("{]");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 3, message: expect.any(String) });
    const partial = await send(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { traceId: "1af7651916cd43dd8448eb211c80319c", spanId: "", name: "bad", startTimeUnixNano: "1" },
                  {
                    traceId: "1af7651916cd43dd8448eb211c80319c",
                    spanId: "c7ad6b7169203331",
                    name: "good",
                    startTimeUnixNano: "1767225600000000000",
                    endTimeUnixNano: "1767225600500000000",
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(partial.status).toBe(200);
    expect(await partial.json()).toMatchObject({ partialSuccess: { rejectedSpans: "1" } });
    expect((await executionDetails("1af7651916cd43dd8448eb211c80319c", 1)).traces).toMatchObject([{ name: "good" }]);
  });
});
