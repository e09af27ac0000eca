import type { TraceRecordInput } from "../../lib/contracts/ingest.ts";
import type { RunlensDeliveryError } from "./transport.ts";

/** What a trace looks like on the wire (the SDK's "trace" is a span of the portal). */
export type Trace = TraceRecordInput & { startedAt: string; endedAt?: string | null };

export type ObservabilityMode = "full" | "standard" | "minimal";

/** Return the trace to send (modified or not), null to cancel it, or nothing to send it unchanged. */
// biome-ignore lint/suspicious/noConfusingVoidType: "return nothing" is part of the documented contract
export type OnTrace = (trace: Trace) => Trace | null | undefined | void;

export type ObservabilityOptions = {
  mode?: ObservabilityMode;
  /** Standard mode: inputs longer than this (characters of JSON) are truncated. Default 1,000. */
  maxInputLength?: number;
  /** Standard mode: outputs longer than this are truncated. Default 1,000. */
  maxOutputLength?: number;
  /** Keep complete LLM prompts and responses even in standard mode. */
  verboseLLM?: boolean;
  /** Keep complete tool inputs and outputs even in standard mode (default true). */
  verboseTools?: boolean;
  onTrace?: OnTrace;
};

export type ClientOptions = ObservabilityOptions & {
  /** Runlens base URL; default RUNLENS_API_URL. */
  apiUrl?: string;
  /** API key; default RUNLENS_API_KEY. */
  apiKey?: string;
  /** Agent name stamped on executions; default RUNLENS_AGENT or "default". */
  agent?: string;
  /** Traces kept in memory while the server is unreachable; beyond it the oldest are dropped (counted). */
  maxBufferedTraces?: number;
  /** fetch implementation (tests, proxies). */
  fetch?: typeof fetch;
  /** Print warnings (rejected, dropped, failed or late records). Default true. */
  warnings?: boolean;
  /** Called for every delivery problem (rejected, dropped, failed or still pending after a flush). */
  onError?: (error: RunlensDeliveryError) => void;
  /** One request is aborted (and retried) after this long. Default 10,000 ms. */
  requestTimeoutMs?: number;
  /** `end()`, `flush()` and `flushTrackEvents()` resolve after this long at the latest; what is still pending is sent in the background. Default 5,000 ms. */
  flushTimeoutMs?: number;
  /**
   * A started execution or span is sent as "running" only once it has run this long (and at an
   * explicit `flush()`); one that ends sooner is sent once, as it ended. 0 sends every start at
   * once. Default 1,000 ms.
   */
  sendRunningAfterMs?: number;
  /**
   * Traces sent in one request at most (1 to 1,000, the server's limit per batch), set when the
   * client is created. Default 500: fewer, fuller requests (OpenTelemetry's batch span processor
   * sends up to 512), each of which the server writes and rolls up once.
   */
  maxBatchTraces?: number;
  /**
   * The time that stamps traces and events (epoch milliseconds or a Date), for replaying recorded
   * runs or generating data at chosen times. Default: the system clock. Delivery (batching,
   * retries) always runs on the system clock.
   */
  clock?: () => number | Date;
};

export type ResolvedConfig = Required<Omit<ClientOptions, "onTrace" | "onError" | "apiKey" | "apiUrl" | "clock">> & {
  apiUrl: string;
  clock: (() => number | Date) | null;
  apiKey: string | null;
  onTrace: OnTrace | null;
  onError: ((error: RunlensDeliveryError) => void) | null;
};

export function resolveConfig(
  opts: ClientOptions = {},
  env: Record<string, string | undefined> = process.env,
): ResolvedConfig {
  return {
    apiUrl: (opts.apiUrl ?? env.RUNLENS_API_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, ""),
    apiKey: opts.apiKey ?? env.RUNLENS_API_KEY ?? null,
    agent: opts.agent ?? env.RUNLENS_AGENT ?? "default",
    mode: opts.mode ?? "full",
    maxInputLength: opts.maxInputLength ?? 1000,
    maxOutputLength: opts.maxOutputLength ?? 1000,
    verboseLLM: opts.verboseLLM ?? false,
    verboseTools: opts.verboseTools ?? true,
    onTrace: opts.onTrace ?? null,
    maxBufferedTraces: opts.maxBufferedTraces ?? 10_000,
    fetch: opts.fetch ?? globalThis.fetch.bind(globalThis),
    warnings: opts.warnings ?? true,
    onError: opts.onError ?? null,
    requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
    flushTimeoutMs: opts.flushTimeoutMs ?? 5_000,
    sendRunningAfterMs: opts.sendRunningAfterMs ?? 1_000,
    maxBatchTraces: Math.min(1000, Math.max(1, Math.floor(opts.maxBatchTraces ?? 500) || 500)),
    clock: opts.clock ?? null,
  };
}
