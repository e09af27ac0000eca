// Request bodies of `npm run bench:ingest -- --traffic otlp|big` (bench/ingest.ts), made from the
// bench's own spans (bench/data.ts) before any timing, so each mode carries the same content as the
// bench bodies it is compared with:
// - otlp: the spans as OpenTelemetry spans, made by the real OTel tracer and encoded by the real
//   OTLP protobuf serializer (what OTLPTraceExporter's proto flavour sends); LLM calls (about a
//   third of the spans) carry the GenAI conventions (gen_ai.*, messages in the parts format), the
//   others input.value/output.value, HTTP calls the HTTP conventions, failures an exception event.
// - big: the same spans as one execution, in the SDK's body format.
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace-node";
import { decodeTraceRequest } from "../lib/ingest/sources/otlp/decode.ts";
import { mapExportRequest } from "../lib/ingest/sources/otlp/map.ts";
import type { Wire } from "./data.ts";

type Chat = { role: string; content: string };
const json = (v: unknown) => JSON.stringify(v);
const parts = (messages: Chat[]) =>
  messages.map((m) => ({ role: m.role, parts: [{ type: "text", content: m.content }] }));

/** OTel attributes of one bench span. */
function attributes(s: Wire): Record<string, string | number | boolean | string[]> {
  const a: Record<string, string | number | boolean | string[]> = {};
  const meta = (s.metadata ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(meta))
    a[`app.${k}`] = Array.isArray(v) ? v.map(String) : typeof v === "number" ? v : String(v);
  if (s.type === "llm_call") {
    const llm = s.llm as {
      model: string;
      provider: string;
      config: { temperature: number; maxTokens: number };
      usage: { inputTokens: number; outputTokens: number };
    };
    const input = (s.input as { messages: Chat[] }).messages;
    const output = s.output as Chat;
    Object.assign(a, {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": llm.provider,
      "gen_ai.request.model": llm.model,
      "gen_ai.response.model": llm.model,
      "gen_ai.request.temperature": llm.config.temperature,
      "gen_ai.request.max_tokens": llm.config.maxTokens,
      "gen_ai.usage.input_tokens": llm.usage.inputTokens,
      "gen_ai.usage.output_tokens": llm.usage.outputTokens,
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.input.messages": json(parts(input)),
      "gen_ai.output.messages": json(parts([output]).map((m) => ({ ...m, finish_reason: "stop" }))),
    });
    return a;
  }
  if (s.type === "http_call") {
    const http = s.http as { method: string; url: string; statusCode: number };
    a["http.request.method"] = http.method.toUpperCase();
    a["url.full"] = http.url;
    a["http.response.status_code"] = http.statusCode;
  }
  if (s.type === "conversation_message") a["input.value"] = json(s.message);
  else if (s.input != null) a["input.value"] = json(s.input);
  if (s.output != null) a["output.value"] = json(s.output);
  if (s.sessionId) a["session.id"] = String(s.sessionId);
  if (s.identify) a["enduser.id"] = String((s.identify as { value: string }).value);
  return a;
}

/**
 * The spans as OTLP protobuf bodies of `batch` spans. Also returns the rows the portal will store
 * (span events and an LLM call's chat turns become rows of their own), counted with the product's
 * own decoder and mapping, and how many spans carry gen_ai attributes.
 */
export function otlpBodies(spans: Wire[], batch: number): { bodies: Buffer[]; rows: number; genAi: number } {
  const ended: ReadableSpan[] = [];
  const collector = {
    onStart: () => undefined,
    onEnd: (span: ReadableSpan) => void ended.push(span),
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
  const tracers = new Map<string, ReturnType<BasicTracerProvider["getTracer"]>>();
  const tracerOf = (agent: string) => {
    let t = tracers.get(agent);
    if (!t) {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ "service.name": agent, "service.version": "1.4.2" }),
        spanProcessors: [collector],
      });
      t = provider.getTracer("runlens-bench", "1.0.0");
      tracers.set(agent, t);
    }
    return t;
  };
  let tracer = tracerOf("default");
  let root: { span: Span; end: number } | null = null;
  const open = new Map<string, Span>();
  let genAi = 0;
  for (const s of spans) {
    const start = Date.parse(String(s.startedAt));
    const end = Date.parse(String(s.endedAt ?? s.startedAt));
    const attrs = attributes(s);
    if (attrs["gen_ai.operation.name"]) genAi++;
    const kind = s.type === "llm_call" || s.type === "http_call" ? SpanKind.CLIENT : SpanKind.INTERNAL;
    let span: Span;
    if (s.parentId == null) {
      root?.span.end(root.end);
      open.clear();
      tracer = tracerOf(String(s.agent ?? "default"));
      span = tracer.startSpan(
        String(s.name),
        { kind: SpanKind.SERVER, startTime: start, attributes: attrs },
        ROOT_CONTEXT,
      );
      root = { span, end };
    } else {
      const parent = open.get(String(s.parentId)) ?? root!.span;
      span = tracer.startSpan(
        String(s.name),
        { kind, startTime: start, attributes: attrs },
        trace.setSpan(ROOT_CONTEXT, parent),
      );
    }
    open.set(String(s.id), span);
    const error = s.error as { name: string; message: string; stack?: string } | undefined;
    if (error) {
      span.recordException({ name: error.name, message: error.message, stack: error.stack }, end);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    if (s.parentId != null) span.end(end);
  }
  root?.span.end(root.end);
  const bodies: Buffer[] = [];
  let rows = 0;
  for (let i = 0; i < ended.length; i += batch) {
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(ended.slice(i, i + batch))!);
    const mapped = mapExportRequest(decodeTraceRequest(body, "protobuf"));
    if (mapped.rejected > 0) throw new Error(`OTLP body ${bodies.length} would be rejected: ${mapped.reasons[0]}`);
    rows += mapped.spans.length;
    bodies.push(body);
  }
  return { bodies, rows, genAi };
}

/**
 * The spans as one execution: every span joins the first execution; the other executions' roots
 * become workflow steps under its root, which ends with the last span.
 */
export function oneExecution(spans: Wire[]): Wire[] {
  const first = spans[0];
  const last = spans.reduce((m, s) => Math.max(m, Date.parse(String(s.endedAt ?? s.startedAt))), 0);
  const root: Wire = { ...first, endedAt: new Date(last).toISOString() };
  return [
    root,
    ...spans.slice(1).map((s) => {
      if (s.parentId != null) return { ...s, executionId: root.executionId };
      const step: Wire = { ...s, executionId: root.executionId, parentId: root.id, type: "workflow_step" };
      for (const k of ["agent", "threadId", "sessionId", "companyId", "identify"]) delete step[k];
      return step;
    }),
  ];
}
