import http from "node:http";
import type { AddressInfo } from "node:net";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type ReadableSpan,
  type Span as SdkSpan,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import { POST as postLogs } from "@/app/api/otel/v1/logs/route";
import { POST as postTraces } from "@/app/api/otel/v1/traces/route";
import { GET as detailsGet } from "@/app/api/v1/runtime/v1/observability/executions/[id]/details/route";
import type { ExecutionDetails, Span } from "@/lib/contracts/executions";
import { ctx, request } from "./app";

/**
 * Real OpenTelemetry clients against the portal's OTLP routes: the route handlers behind a real
 * node:http server (the exporters speak HTTP to it as to a portal), one tracer provider exporting
 * with the standard OTLP/protobuf exporter, and the read API to see what a user would.
 */

const ROUTES: Record<string, (r: Request) => Promise<Response>> = {
  "/api/otel/v1/traces": postTraces,
  "/api/otel/v1/logs": postLogs,
};

/** The OTLP routes on a local HTTP server; `drained` is awaited after each export. */
export async function startOtlpServer(drained: () => Promise<void>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const route = ROUTES[req.url ?? ""];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const answer = await route(
      new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }),
    );
    await drained();
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A span processor that remembers the spans started and not (yet) ended: the proof that an
 * instrumentation left a span open, which no exporter will ever send.
 */
export class OpenSpans implements SpanProcessor {
  private open = new Map<string, string>();
  onStart(span: SdkSpan): void {
    this.open.set(span.spanContext().spanId, span.name);
  }
  onEnd(span: ReadableSpan): void {
    this.open.delete(span.spanContext().spanId);
  }
  /** The names of the spans started and not ended, in start order. */
  names(): string[] {
    return [...this.open.values()];
  }
  forceFlush = async () => {};
  shutdown = async () => {};
}

export type Tracing = {
  provider: NodeTracerProvider;
  /** The spans started and never ended. */
  open: OpenSpans;
  /**
   * Exports until the root span of a run has been sent (a framework may end it a moment after the
   * call returns) and gives its trace id: the run's execution.
   */
  flushRun(): Promise<string>;
  /**
   * Exports what has ended and gives the traces it sent: for a run whose root span is never ended
   * (an instrumentation that leaves it open), whose other spans are exported all the same.
   */
  flushEnded(): Promise<string[]>;
};

/**
 * A tracer provider as the frameworks' docs set one up (registered: context propagation), exporting
 * batches through the OTLP/protobuf exporter with the API key header; `flush` returns what it sent.
 */
export function startTracing(url: string, apiKey: string, service: string): Tracing {
  const exporter = new OTLPTraceExporter({
    url: `${url}/api/otel/v1/traces`,
    headers: { authorization: `Bearer ${apiKey}` },
  });
  let sent: ReadableSpan[] = [];
  const recording = {
    export: (spans: ReadableSpan[], done: Parameters<OTLPTraceExporter["export"]>[1]) => {
      sent.push(...spans);
      exporter.export(spans, done);
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const open = new OpenSpans();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [new BatchSpanProcessor(recording), open],
  });
  provider.register();
  return {
    provider,
    open,
    flushRun: async () => {
      for (let attempt = 0; attempt < 200; attempt++) {
        await provider.forceFlush();
        const root = sent.find((span) => !span.parentSpanContext);
        if (root) {
          sent = [];
          return root.spanContext().traceId;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error("no root span was exported");
    },
    flushEnded: async () => {
      await provider.forceFlush();
      const traces = [...new Set(sent.map((span) => span.spanContext().traceId))];
      sent = [];
      return traces;
    },
  };
}

/** A logger provider exporting batches of records through the OTLP/protobuf log exporter (`forceFlush` sends). */
export function startLogging(url: string, apiKey: string, service: string): LoggerProvider {
  return new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({
          url: `${url}/api/otel/v1/logs`,
          headers: { authorization: `Bearer ${apiKey}` },
        }),
      }),
    ],
  });
}

/** An execution's page as the read API gives it. */
export async function seen(executionId: string, apiKey: string): Promise<ExecutionDetails> {
  const page = await seenIfStored(executionId, apiKey);
  if (!page) throw new Error(`details ${executionId}: 404`);
  return page;
}

/** An execution's page, or null when nothing of it was stored (404). */
export async function seenIfStored(executionId: string, apiKey: string): Promise<ExecutionDetails | null> {
  const res = await detailsGet(
    request(`/api/v1/runtime/v1/observability/executions/${executionId}/details`, { bearer: apiKey }),
    ctx({ id: executionId }),
  );
  if (res.status === 404) return null;
  if (res.status !== 200) throw new Error(`details ${executionId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as ExecutionDetails;
}

/** A message's text, whether stored as plain text or as parts. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  const parts = (content as { parts?: { type: string; text?: string }[] })?.parts ?? [];
  return parts
    .filter((p) => p.type === "text")
    .map((p) => p.text)
    .join("\n");
}

/** The spans as "depth type name [model]" lines: what a failing assertion prints. */
export const outline = (page: ExecutionDetails): string =>
  page.traces
    .map((s) => `${"  ".repeat(s.depth)}${s.type} ${s.name}${s.llm?.model ? ` [${s.llm.model}]` : ""} ${s.status}`)
    .join("\n");

export const ofType = (page: ExecutionDetails, type: string): Span[] => page.traces.filter((s) => s.type === type);

type StoredMessage = { role: string; parts: { type: string; text?: string; name?: string; arguments?: unknown }[] };

/** Normalised messages (an LLM span's input or output) as [role, text] pairs. */
export const messagesOf = (value: unknown): [string, string][] =>
  ((value as StoredMessage[] | null) ?? []).map((m) => [m.role, textOf({ parts: m.parts })]);

/** The tool calls among normalised messages, as [name, arguments]. */
export const toolCallsOf = (value: unknown): [string | undefined, unknown][] =>
  ((value as StoredMessage[] | null) ?? []).flatMap((m) =>
    m.parts.filter((p) => p.type === "tool_call").map((p): [string | undefined, unknown] => [p.name, p.arguments]),
  );

/** The tool results among normalised messages, as [call id, result]. */
export const toolResultsOf = (value: unknown): [unknown, unknown][] =>
  ((value as { parts: { type: string; id?: string; result?: unknown }[] }[] | null) ?? []).flatMap((m) =>
    m.parts.filter((p) => p.type === "tool_result").map((p): [unknown, unknown] => [p.id, p.result]),
  );

export const tokensOf = (spans: Span[]) => spans.map((s) => s.llm?.usage?.totalTokens ?? null);

type Part = { type: string; text?: string; name?: string; arguments?: unknown; result?: unknown };

/** A turn's content in one line: its text, tool calls as `name(arguments)`, tool results as `-> result`. */
export function turnText(content: unknown): string {
  if (typeof content === "string") return content;
  const parts = (content as { parts?: Part[] } | null)?.parts ?? [];
  return parts
    .map((p) => {
      if (p.type === "text") return p.text;
      if (p.type === "tool_call") return `${p.name}(${JSON.stringify(p.arguments)})`;
      if (p.type === "tool_result") return `-> ${typeof p.result === "string" ? p.result : JSON.stringify(p.result)}`;
      return `[${p.type}]`;
    })
    .join("\n");
}

/**
 * The chat as the execution's chat view shows it: its conversation turns in order, each as
 * [role, content in one line (turnText), name of the span it links to].
 */
export function chatOf(page: ExecutionDetails): [string, string, string | undefined][] {
  const names = new Map(page.traces.map((s) => [s.id, s.name]));
  return page.traces
    .filter((s) => s.type === "conversation_message")
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id))
    .map((m) => {
      const source = (m.message?.metadata as { sourceSpanId?: string } | null | undefined)?.sourceSpanId;
      return [m.message?.role ?? "", turnText(m.message?.content), source ? names.get(source) : undefined];
    });
}
