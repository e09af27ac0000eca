import { randomUUID } from "node:crypto";
import type { TrackEventInput } from "../../lib/contracts/ingest.ts";
import {
  type ClientOptions,
  type ObservabilityOptions,
  type OnTrace,
  type ResolvedConfig,
  resolveConfig,
  type Trace,
} from "./config.ts";
import { type ActiveContext, activeContext, enter, isolated } from "./context.ts";
import { isoOf } from "./iso-time.ts";
import { onBase, type SpanBase } from "./span-record.ts";
import { BatchTransport, type TransportOptions } from "./transport.ts";

export type { ClientOptions, ObservabilityMode, ObservabilityOptions, OnTrace, Trace } from "./config.ts";
export { type DeliveryErrorKind, RunlensDeliveryError } from "./transport.ts";

type Data = { input?: unknown; output?: unknown; metadata?: unknown };
type ParentOption = { parentId?: string | null };
export type TrackOptions = { threadId?: string; executionId?: string; timestamp?: string | Date };
export type Identify = { type: string; value: string };

export type StartExecutionOptions = {
  name: string;
  input?: unknown;
  metadata?: unknown;
  executionId?: string;
  agent?: string;
  threadId?: string;
  sessionId?: string;
  companyId?: string;
  /** Root span type: custom_execution (default), agent_execution or workflow_execution. */
  type?: "custom_execution" | "agent_execution" | "workflow_execution";
};

export type SpanHandle = {
  /** The span's id: pass it as `parentId` to nest traces under it explicitly. */
  readonly traceId: string;
  readonly executionId: string;
  end(result?: { output?: unknown; error?: unknown; metadata?: unknown }): void;
};

export type ExecutionHandle = SpanHandle & {
  readonly id: string;
  log(name: string, data?: Record<string, unknown>): void;
  setError(error: unknown): void;
  end(result?: { output?: unknown; metadata?: unknown }): Promise<void>;
};

const STRUCTURED_KEYS = new Set(["input", "output", "metadata"]);
/** The overrides of a record without any (one object, not a new one per record). */
const NO_OVERRIDES: ObservabilityOptions = Object.freeze({});

let lastTimestamp = 0;
/**
 * Strictly increasing ISO timestamps: traces emitted in the same millisecond keep their order
 * (the portal orders siblings by start time).
 */
export function nowIso(): string {
  const now = Date.now();
  lastTimestamp = now > lastTimestamp ? now : lastTimestamp + 1;
  return isoOf(lastTimestamp);
}

export function toErrorRecord(error: unknown): { name?: string; message: string; stack?: string } {
  if (error instanceof Error) return { name: error.name, message: error.message || String(error), stack: error.stack };
  if (typeof error === "object" && error && "message" in error)
    return { message: String((error as { message: unknown }).message) };
  return { message: String(error) };
}

/** Standard mode: a payload longer than `max` characters becomes a marked preview. */
export function truncateForMode(value: unknown, max: number): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value === "string")
    return value.length > max ? `${value.slice(0, max)}…[truncated ${value.length} chars]` : value;
  const json = JSON.stringify(value);
  if (json === undefined || json.length <= max) return value;
  return { _truncated: true, originalLength: json.length, preview: json.slice(0, max) };
}

/**
 * The Runlens client. The module functions (`startExecution`, `log`, `track`...) use a default
 * client configured from RUNLENS_API_URL / RUNLENS_API_KEY; create your own for other settings.
 */
export class Runlens {
  private config: ResolvedConfig;
  private readonly traces: BatchTransport<Trace>;
  private readonly events: BatchTransport<TrackEventInput>;
  private pendingIdentify: Identify | null = null;
  private exitHookInstalled = false;
  /** The last reading of a `clock` option and the last timestamp made from it. */
  private lastReading = Number.NEGATIVE_INFINITY;
  private lastStamp = Number.NEGATIVE_INFINITY;

  constructor(opts: ClientOptions = {}) {
    this.config = resolveConfig(opts);
    const common: Omit<TransportOptions, "apiUrl" | "envelope" | "maxBatch" | "flushIntervalMs"> = {
      apiKey: () => this.config.apiKey,
      fetch: () => this.config.fetch,
      maxBuffered: () => this.config.maxBufferedTraces,
      requestTimeoutMs: () => this.config.requestTimeoutMs,
      flushTimeoutMs: () => this.config.flushTimeoutMs,
      warn: (m) => this.config.warnings && console.warn(`[runlens] ${m}`),
      onError: (e) => this.config.onError?.(e),
    };
    this.traces = new BatchTransport<Trace>({
      ...common,
      apiUrl: () => this.config.apiUrl,
      envelope: "traces",
      maxBatch: this.config.maxBatchTraces,
      flushIntervalMs: 500,
      // A start ("running") waits, and its end replaces it while it is still buffered.
      provisional: { is: (t) => t.status === "running", holdMs: () => this.config.sendRunningAfterMs },
    });
    this.events = new BatchTransport<TrackEventInput>({
      ...common,
      apiUrl: () => this.config.apiUrl,
      envelope: "events",
      maxBatch: 50,
      flushIntervalMs: 2000,
    });
  }

  /** Changes settings (mode, onTrace, keys...) from now on. */
  configure(opts: ClientOptions): void {
    const current = this.config;
    this.config = resolveConfig({
      ...current,
      apiKey: current.apiKey ?? undefined,
      onTrace: current.onTrace ?? undefined,
      onError: current.onError ?? undefined,
      clock: current.clock ?? undefined,
      ...opts,
    });
  }

  /** Counters for health checks and tests. */
  stats() {
    return {
      traceRequests: this.traces.requests,
      eventRequests: this.events.requests,
      tracesDelivered: this.traces.delivered,
      eventsDelivered: this.events.delivered,
      tracesDropped: this.traces.dropped,
      eventsDropped: this.events.dropped,
      tracesRejected: this.traces.rejected,
      eventsRejected: this.events.rejected,
      tracesPending: this.traces.pending,
      eventsPending: this.events.pending,
    };
  }

  /**
   * Now, as this client stamps traces and events (ISO). Without a `clock` option this is
   * `nowIso()`. With one, timestamps are its readings, strictly increasing while it moves forward
   * or stands still (same-millisecond siblings keep their order); a clock set back (the next
   * replayed run starting earlier) is followed.
   */
  timestamp(): string {
    const clock = this.config.clock;
    if (!clock) return nowIso();
    const value = clock();
    const ms = value instanceof Date ? value.getTime() : value;
    if (!Number.isFinite(ms)) return nowIso();
    const reading = Math.floor(ms);
    const stamp = reading < this.lastReading || reading > this.lastStamp ? reading : this.lastStamp + 1;
    this.lastReading = reading;
    this.lastStamp = stamp;
    return isoOf(stamp);
  }

  // ---------------------------------------------------------------------------------------------
  // Emitting
  // ---------------------------------------------------------------------------------------------

  private installExitHook(): void {
    if (this.exitHookInstalled) return;
    this.exitHookInstalled = true;
    // When the event loop empties, send what is buffered (short scripts, CLIs, serverless).
    process.once("beforeExit", () => void this.flush());
  }

  private emit(trace: Trace, overrides: ObservabilityOptions = NO_OVERRIDES): void {
    const mode = overrides.mode ?? this.config.mode;
    if (mode === "minimal") return;
    let t: Trace = trace;
    if (mode === "standard") {
      const verbose =
        (t.type === "llm_call" && (overrides.verboseLLM ?? this.config.verboseLLM)) ||
        (t.type === "tool_call" && (overrides.verboseTools ?? this.config.verboseTools));
      if (!verbose) {
        const maxIn = overrides.maxInputLength ?? this.config.maxInputLength;
        const maxOut = overrides.maxOutputLength ?? this.config.maxOutputLength;
        t = { ...t, input: truncateForMode(t.input, maxIn), output: truncateForMode(t.output, maxOut) };
      }
    }
    if (this.config.onTrace || overrides.onTrace)
      for (const hook of [this.config.onTrace, overrides.onTrace]) {
        if (typeof hook !== "function") continue;
        const r = this.runHook(hook, t);
        if (r === null) return;
        t = r;
      }
    this.installExitHook();
    this.traces.add(t);
  }

  /** An onTrace hook's verdict on (a copy of) `t`: the trace to send, or null to cancel it. */
  private runHook(hook: OnTrace, t: Trace): Trace | null {
    try {
      const r = hook(structuredClone(t));
      return r === undefined ? t : r;
    } catch (e) {
      if (this.config.warnings)
        console.warn(`[runlens] onTrace threw; the trace is sent unchanged: ${(e as Error).message}`);
      return t;
    }
  }

  private base(ctx: ActiveContext | undefined, parentId: string | null | undefined): SpanBase {
    const executionId = ctx?.executionId ?? randomUUID();
    return {
      executionId,
      parentId: parentId !== undefined ? parentId : (ctx?.spanId ?? null),
      agent: ctx?.agent ?? this.config.agent,
      threadId: ctx?.threadId ?? undefined,
      sessionId: ctx?.sessionId ?? undefined,
      companyId: ctx?.companyId ?? undefined,
      identify: ctx?.identify ?? undefined,
    };
  }

  /** Emits an instantaneous trace (log, event, error, message) under the active span. */
  private point(
    type: string,
    name: string,
    fields: Partial<Trace>,
    parentId?: string | null,
    overrides?: ObservabilityOptions,
  ): string {
    const id = randomUUID();
    const now = this.timestamp();
    const base = this.base(activeContext(), parentId);
    this.emit(onBase(base, { id, type, name, startedAt: now, endedAt: now, ...fields }) as Trace, overrides);
    return id;
  }

  // ---------------------------------------------------------------------------------------------
  // Public surface
  // ---------------------------------------------------------------------------------------------

  /** Sets the custom context of the current (or next) execution, e.g. {type: "document", value: id}. */
  identify(identify: Identify): void {
    const ctx = activeContext();
    if (ctx) ctx.identify = identify;
    else this.pendingIdentify = identify;
  }

  /**
   * Starts an execution and makes it active for the rest of this async flow: spans, logs and
   * messages created afterwards belong to it.
   */
  startExecution(opts: StartExecutionOptions, overrides?: ObservabilityOptions): ExecutionHandle {
    const previous = activeContext();
    const id = opts.executionId ?? randomUUID();
    const ctx: ActiveContext = {
      executionId: id,
      spanId: id,
      agent: opts.agent ?? this.config.agent,
      threadId: opts.threadId ?? null,
      sessionId: opts.sessionId ?? null,
      companyId: opts.companyId ?? null,
      identify: this.pendingIdentify,
      parent: previous,
    };
    this.pendingIdentify = null;
    const startedAt = this.timestamp();
    let error: ReturnType<typeof toErrorRecord> | null = null;
    let ended = false;
    const record = (): Trace =>
      ({
        id,
        executionId: id,
        parentId: null,
        type: opts.type ?? "custom_execution",
        name: opts.name,
        startedAt,
        agent: ctx.agent,
        threadId: ctx.threadId ?? undefined,
        sessionId: ctx.sessionId ?? undefined,
        companyId: ctx.companyId ?? undefined,
        identify: ctx.identify ?? undefined,
        input: opts.input,
        metadata: opts.metadata,
      }) as Trace;
    this.emit(Object.assign(record(), { status: "running" as const }), overrides);
    enter(ctx);
    return {
      id,
      traceId: id,
      executionId: id,
      log: (name, data) => {
        this.point("log", name, splitData(data), id, overrides);
      },
      setError: (e) => {
        error = toErrorRecord(e);
      },
      end: async (result = {}) => {
        if (ended) return;
        ended = true;
        // Assigned, not spread, for the reason of onBase; metadata keeps its place.
        const final = Object.assign(record(), {
          endedAt: this.timestamp(),
          status: error ? ("error" as const) : ("success" as const),
          output: result.output,
          metadata: result.metadata ?? opts.metadata,
          error: error ?? undefined,
        });
        this.emit(final, overrides);
        ctx.ended = true;
        // Its own records are final now; other executions' young starts keep waiting.
        await this.traces.flushWithin(false);
      },
    };
  }

  /** Opens a span (a custom_event with children) and makes it the active parent until `end`. */
  startSpan(
    name: string,
    opts: { input?: unknown; metadata?: unknown; parentId?: string | null; type?: string; stepType?: string } = {},
    overrides?: ObservabilityOptions,
  ): SpanHandle {
    const previous = activeContext();
    const base = this.base(previous, opts.parentId);
    const id = randomUUID();
    const startedAt = this.timestamp();
    // Read once, at the start, as both versions of the record have them.
    const type = opts.type ?? "custom_event";
    const { stepType, input, metadata } = opts;
    const record = (): Trace => onBase(base, { id, type, name, stepType, startedAt, input, metadata });
    if (!previous) this.pendingIdentify = null;
    this.emit(Object.assign(record(), { status: "running" as const }), overrides);
    const ctx: ActiveContext = {
      executionId: base.executionId,
      spanId: id,
      agent: base.agent,
      threadId: base.threadId,
      sessionId: base.sessionId,
      companyId: base.companyId,
      identify: base.identify,
      parent: previous,
    };
    enter(ctx);
    let ended = false;
    return {
      traceId: id,
      executionId: base.executionId,
      end: (result = {}) => {
        if (ended) return;
        ended = true;
        const error = result.error === undefined ? undefined : toErrorRecord(result.error);
        const final = Object.assign(record(), {
          endedAt: this.timestamp(),
          status: error ? ("error" as const) : ("success" as const),
          output: result.output,
          metadata: result.metadata ?? opts.metadata,
          error,
        });
        this.emit(final, overrides);
        ctx.ended = true;
      },
    };
  }

  /**
   * Runs `fn` inside a new span that is active only for `fn` (safe with Promise.all), ending it
   * with `fn`'s result or error. The error is rethrown.
   */
  withSpan<T>(
    name: string,
    opts: Parameters<Runlens["startSpan"]>[1],
    fn: (span: SpanHandle) => Promise<T> | T,
  ): Promise<T> {
    return isolated(async () => {
      const span = this.startSpan(name, opts);
      try {
        const output = await fn(span);
        span.end({ output });
        return output;
      } catch (e) {
        span.end({ error: e });
        throw e;
      }
    });
  }

  /** A log under the active span: `log("cache_hit", {key})` or structured `{input, output, metadata}`. */
  log(name: string, data?: Record<string, unknown>, opts: ParentOption = {}): string {
    return this.point("log", name, splitData(data), opts.parentId);
  }

  /** A structured custom event with input, output and metadata. */
  logEvent(name: string, data: Data = {}, opts: ParentOption = {}): string {
    return this.point(
      "custom_event",
      name,
      { input: data.input, output: data.output, metadata: data.metadata },
      opts.parentId,
    );
  }

  /** An error trace with name, message and stack. */
  logError(name: string, error: unknown, opts: ParentOption & { metadata?: unknown } = {}): string {
    return this.point(
      "error",
      name,
      { status: "error", error: toErrorRecord(error), metadata: opts.metadata },
      opts.parentId,
    );
  }

  /**
   * A conversation turn (chat bubble): child of the active span, of `parentId` when given, or root.
   * `content` is text or an object with a `type` (buttons, image, audio, file, location...).
   */
  message(
    data: {
      role: string;
      content: string | ({ type: string } & Record<string, unknown>);
      metadata?: Record<string, unknown>;
      parentId?: string | null;
    },
    opts: ParentOption = {},
  ): string {
    const parentId = opts.parentId !== undefined ? opts.parentId : data.parentId;
    return this.point(
      "conversation_message",
      data.role,
      { message: { role: data.role, content: data.content, metadata: data.metadata } },
      parentId,
    );
  }

  /** A business event for the Metrics tab; batched (50 events or 2 s). */
  track(name: string, properties: Record<string, unknown> = {}, opts: TrackOptions = {}): void {
    const ctx = activeContext();
    const ts = opts.timestamp instanceof Date ? opts.timestamp.toISOString() : opts.timestamp;
    this.installExitHook();
    this.events.add({
      id: randomUUID(),
      name,
      properties,
      timestamp: ts ?? this.timestamp(),
      threadId: opts.threadId ?? ctx?.threadId ?? undefined,
      executionId: opts.executionId ?? ctx?.executionId ?? undefined,
      agent: ctx?.agent ?? this.config.agent,
    });
  }

  /** Sends buffered track events now (call before a short script exits); waits `flushTimeoutMs` at most. */
  flushTrackEvents(): Promise<void> {
    return this.events.flushWithin();
  }

  /** Sends everything buffered now; waits `flushTimeoutMs` at most. */
  async flush(): Promise<void> {
    await Promise.all([this.traces.flushWithin(), this.events.flushWithin()]);
  }

  /** Records an llm_call around `call` (see traceLLM). */
  emitTrace(trace: Trace, overrides?: ObservabilityOptions): void {
    this.emit(trace, overrides);
  }

  /** Builds the common fields of a new span under the active context. */
  spanBase(parentId?: string | null) {
    return this.base(activeContext(), parentId);
  }
}

function splitData(data: Record<string, unknown> | undefined): Partial<Trace> {
  if (!data) return {};
  const keys = Object.keys(data);
  if (keys.length > 0 && keys.every((k) => STRUCTURED_KEYS.has(k)))
    return { input: data.input, output: data.output, metadata: data.metadata };
  return { metadata: data };
}

let defaultClient: Runlens | null = null;

/** The client behind the module functions (configured from the environment on first use). */
export function getClient(): Runlens {
  defaultClient ??= new Runlens();
  return defaultClient;
}

/** Configures the default client (mode, onTrace, apiUrl, apiKey...). */
export function configure(opts: ClientOptions): void {
  getClient().configure(opts);
}

/** `configureLogging({ onTrace })`: the Runflow name for configuring standalone logging. */
export const configureLogging = configure;

export const identify = (i: Identify) => getClient().identify(i);
export const startExecution = (o: StartExecutionOptions, overrides?: ObservabilityOptions) =>
  getClient().startExecution(o, overrides);
export const startSpan = (name: string, opts?: Parameters<Runlens["startSpan"]>[1]) =>
  getClient().startSpan(name, opts);
export const log = (name: string, data?: Record<string, unknown>, opts?: ParentOption) =>
  getClient().log(name, data, opts);
export const logEvent = (name: string, data?: Data, opts?: ParentOption) => getClient().logEvent(name, data, opts);
export const logError = (name: string, error: unknown, opts?: ParentOption & { metadata?: unknown }) =>
  getClient().logError(name, error, opts);
export const message = (data: Parameters<Runlens["message"]>[0], opts?: ParentOption) =>
  getClient().message(data, opts);
export const track = (name: string, properties?: Record<string, unknown>, opts?: TrackOptions) =>
  getClient().track(name, properties, opts);
export const flushTrackEvents = () => getClient().flushTrackEvents();
export const flush = () => getClient().flush();
