import http from "node:http";
import type { AddressInfo } from "node:net";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace-node";
import { POST as postLogs } from "@/app/api/otel/v1/logs/route";
import { POST as postTraces } from "@/app/api/otel/v1/traces/route";
import { GET as detailsGet } from "@/app/api/v1/runtime/v1/observability/executions/[id]/details/route";
import type { ExecutionDetails } from "@/lib/contracts/executions";
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

export type Tracing = {
  provider: NodeTracerProvider;
  /**
   * Exports until the root span of a run has been sent (a framework may end it a moment after the
   * call returns) and gives its trace id: the run's execution.
   */
  flushRun(): Promise<string>;
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
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [new BatchSpanProcessor(recording)],
  });
  provider.register();
  return {
    provider,
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
  const res = await detailsGet(
    request(`/api/v1/runtime/v1/observability/executions/${executionId}/details`, { bearer: apiKey }),
    ctx({ id: executionId }),
  );
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
