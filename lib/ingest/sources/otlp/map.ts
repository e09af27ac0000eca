import { epochProblem, isStorableText, MAX_STORABLE_MS, MIN_STORABLE_MS } from "../../../contracts/common.ts";
import {
  type OtlpKeyValue,
  type OtlpSpan,
  type OtlpTraceRequest,
  SPAN_FLAGS_HAS_IS_REMOTE,
  SPAN_FLAGS_IS_REMOTE,
  SPAN_KINDS,
  STATUS_CODE_ERROR,
} from "../../../contracts/otlp.ts";
import { DEFAULT_AGENT, type ExecutionContext, emptyContextFields, type SpanRow } from "../../model.ts";
import { readConventions } from "./conventions.ts";
import { conversationRows } from "./conversation.ts";
import { isGenAiMessageEvent } from "./genai.ts";
import { isPayloadKey, type Reading, type SpanEvent } from "./reading.ts";
import { spanRow } from "./row.ts";
import { type Attrs, attributesToObject, clip, compact, count, str, tokenCount } from "./values.ts";

/**
 * Maps an OTLP ExportTraceServiceRequest to span rows. A trace is an execution (id: the trace id
 * in 32 lowercase hex); a span keeps its OTel span id (16 lowercase hex) and parent, so spans of
 * one trace may arrive over several exports in any order. Span events become child spans: an
 * `exception` an `error` span, any other a `log` span (ids `<span id>-<event index>`, stable on a
 * resend); an LLM call's new chat turns become `conversation_message` children (conversation.ts).
 * The GenAI convention families (conventions.ts: OpenTelemetry GenAI,
 * OpenInference, Vercel AI SDK, OpenLLMetry) give types, names, models, tokens, messages and ids;
 * HTTP attributes fill the HTTP columns; everything else is kept in metadata.
 */

export type OtlpMapping = {
  spans: SpanRow[];
  executions: ExecutionContext[];
  /** Spans of the request that were rejected, and why (first few reasons). */
  rejected: number;
  reasons: string[];
};

/** One accepted span with what the mapping needs from its resource and conventions. */
type Placed = { row: SpanRow; resource: Attrs; context: Reading["context"]; hasParent: boolean };

const MAX_NAME = 256;
const MAX_CONTEXT = 256;
const MAX_REASONS = 5;

export function mapExportRequest(req: OtlpTraceRequest): OtlpMapping {
  const placed: Placed[] = [];
  const spans: SpanRow[] = [];
  const reasons: string[] = [];
  let rejected = 0;
  for (const rs of req.resourceSpans ?? []) {
    const resource = attributesToObject(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = ss.scope?.name
        ? compact({
            name: ss.scope.name,
            version: ss.scope.version || undefined,
            attributes: nonEmpty(ss.scope.attributes),
          })
        : undefined;
      for (const span of ss.spans ?? []) {
        const spanId = hex(span.spanId);
        const problem = invalidSpan(span, spanId);
        if (problem) {
          rejected++;
          if (reasons.length < MAX_REASONS) reasons.push(problem);
          continue;
        }
        const mapped = mapSpan(span, spanId, resource, scope);
        placed.push(mapped.placed);
        spans.push(mapped.placed.row, ...mapped.events);
      }
    }
  }
  return { spans, executions: executionContexts(placed), rejected, reasons };
}

// ---------------------------------------------------------------------------------------------
// Ids, times, validation

/** Lowercase hex of an id, read in place (the decoded bytes are a view of the body: no copy). */
const hex = (b: Uint8Array | undefined) =>
  b?.length ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex") : "";
/** Loops rather than `every` with a callback, which costs a call per byte on a typed array (three ids a span). */
function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}
const isId = (b: Uint8Array | undefined, bytes: number): b is Uint8Array => b?.length === bytes && !isZero(b);
function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (a.length !== b?.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Why a span cannot be stored, or null. Ids must have their OTLP sizes and not be all zero.
 * `spanId` is the span id's hex, computed once for the reason and the row.
 */
function invalidSpan(s: OtlpSpan, spanId: string): string | null {
  const label = `span ${spanId || "(no id)"}`;
  if (!isId(s.traceId, 16)) return `${label}: traceId must be 16 bytes (32 hex characters), not all zero`;
  if (!isId(s.spanId, 8)) return `${label}: spanId must be 8 bytes (16 hex characters), not all zero`;
  if (s.parentSpanId?.length && s.parentSpanId.length !== 8) return `${label}: parentSpanId must be empty or 8 bytes`;
  if (s.parentSpanId && sameBytes(s.parentSpanId, s.spanId)) return `${label}: a span cannot be its own parent`;
  if (s.unreadable) return `${label}: ${s.unreadable}`;
  let problem =
    timeProblem("startTimeUnixNano", s.startTimeUnixNano) ?? timeProblem("endTimeUnixNano", s.endTimeUnixNano);
  const events = s.events ?? [];
  for (let i = 0; !problem && i < events.length; i++)
    problem = timeProblem(`events[${i}].timeUnixNano`, events[i].timeUnixNano);
  if (problem) return `${label}: ${problem}`;
  const start = nanosToMs(s.startTimeUnixNano);
  if (start === 0) return `${label}: startTimeUnixNano is missing`;
  const end = nanosToMs(s.endTimeUnixNano);
  if (end !== 0 && end < start) return `${label}: endTimeUnixNano is before startTimeUnixNano`;
  return null;
}

/** "<field>: <why>" when a set time is not a storable instant (epochProblem's verdict), else null. */
function timeProblem(field: string, nanos: string | undefined): string | null {
  if (!nanos) return null;
  const ms = nanosToMs(nanos);
  // epochProblem reads the same whole milliseconds (nanoseconds / 10^6, truncated): inside the
  // range it answers null, so only a time outside it pays for the BigInt and the message.
  if (ms >= MIN_STORABLE_MS && ms <= MAX_STORABLE_MS) return null;
  const problem = epochProblem(BigInt(nanos), "nanoseconds");
  return problem ? `${field}: ${problem}` : null;
}

/**
 * Epoch milliseconds of a fixed64 nanosecond time (a decimal string, as decoded); 0 when unset.
 * Decoded fixed64 values are unsigned decimal digits: dropping the last six digits is the
 * truncating division by 10^6, without a BigInt (the result, below 2^64 / 10^6, is exact).
 */
function nanosToMs(nanos: string | undefined): number {
  if (!nanos) return 0;
  if (!DIGITS.test(nanos)) return Number(BigInt(nanos) / 1_000_000n);
  return nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
}
const DIGITS = /^\d+$/;

const iso = (ms: number) => new Date(ms).toISOString();
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function nonEmpty(kvs: OtlpKeyValue[] | undefined): Attrs | undefined {
  const o = attributesToObject(kvs);
  return Object.keys(o).length ? o : undefined;
}

// ---------------------------------------------------------------------------------------------
// HTTP, GenAI

/** Method, URL and status from the HTTP conventions (stable names first, then the older ones). */
function httpCall(attrs: Attrs): { method: string; url: string | null; status: number | null } | null {
  const method = str(attrs["http.request.method"]) ?? str(attrs["http.method"]);
  if (!method) return null;
  const status = count(attrs["http.response.status_code"] ?? attrs["http.status_code"], 999);
  let url = str(attrs["url.full"]) ?? str(attrs["http.url"]);
  if (!url) {
    const path = str(attrs["url.path"]) ?? str(attrs["http.target"]);
    const query = str(attrs["url.query"]);
    const host =
      str(attrs["server.address"]) ??
      str(attrs["http.host"]) ??
      str(attrs["net.host.name"]) ??
      str(attrs["net.peer.name"]);
    const port = attrs["server.port"] ?? attrs["net.host.port"] ?? attrs["net.peer.port"];
    const scheme = str(attrs["url.scheme"]) ?? str(attrs["http.scheme"]) ?? "http";
    const authority = host ? `${scheme}://${host}${port && !host.includes(":") ? `:${port}` : ""}` : "";
    if (path || authority) url = `${authority}${path ?? "/"}${query ? `?${query}` : ""}`;
  }
  return {
    method: method.toUpperCase().slice(0, 16),
    url: url ? url.slice(0, 8192) : null,
    status,
  };
}

// ---------------------------------------------------------------------------------------------
// Spans

function errorOf(s: OtlpSpan, events: SpanEvent[]): { name?: string; message: string; stack?: string } | null {
  const exception = events.find((e) => e.name === "exception");
  if (exception) return exceptionError(exception.attrs);
  if (s.status?.code === STATUS_CODE_ERROR)
    return { message: clip(s.status.message || null, MAX_ERROR.message) ?? "Error" };
  return null;
}

/** The SDK contract's bounds on errors (lib/contracts/ingest.ts ZError). */
const MAX_ERROR = { name: 256, message: 100_000, stack: 200_000 };

function exceptionError(a: Attrs): { name?: string; message: string; stack?: string } {
  const name = clip(str(a["exception.type"]), MAX_ERROR.name) ?? undefined;
  const sentMessage = str(a["exception.message"]);
  const sentStack = str(a["exception.stacktrace"]);
  const split = sentStack === null ? splitStack(sentMessage) : null;
  const message = clip(split?.message ?? sentMessage, MAX_ERROR.message) ?? name ?? "exception";
  return compact({ name, message, stack: clip(split?.stack ?? sentStack, MAX_ERROR.stack) ?? undefined });
}

/**
 * LangChain's tracers record an error as `${error.message}\n\n${error.stack}` (BaseTracer
 * `stringifyError`), which OpenInference's LangChain instrumentation sends as `exception.message`
 * with no stacktrace: split back into message and stack when what follows the blank line is a
 * JavaScript stack of that message (`Error: <message>` then `    at ...` lines).
 */
function splitStack(message: string | null): { message: string; stack: string } | null {
  if (!message) return null;
  const at = message.indexOf("\n\n");
  if (at <= 0) return null;
  const head = message.slice(0, at);
  const stack = message.slice(at + 2);
  const firstLine = stack.split("\n", 1)[0];
  if (!firstLine.endsWith(head.split("\n", 1)[0]) || !/\n\s+at /.test(stack)) return null;
  return { message: head, stack };
}

/** An event's attributes, without the exception fields already in the error span's `error`. */
function eventMetadata(a: Attrs, isException: boolean): Attrs | null {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(a))
    if (!isException || !["exception.type", "exception.message", "exception.stacktrace"].includes(k)) out[k] = v;
  return Object.keys(out).length ? out : null;
}

function mapSpan(
  s: OtlpSpan,
  spanId: string,
  resource: Attrs,
  scope: Attrs | undefined,
): { placed: Placed; events: SpanRow[] } {
  const traceId = hex(s.traceId);
  const parent = isId(s.parentSpanId, 8) ? hex(s.parentSpanId) : null;
  const attrs = attributesToObject(s.attributes);
  const events = s.events ?? [];
  const startMs = nanosToMs(s.startTimeUnixNano)!;
  const endMs = nanosToMs(s.endTimeUnixNano)!;
  const isError = s.status?.code === STATUS_CODE_ERROR;
  const http = httpCall(attrs);
  const spanEvents = events.map((e) => ({ name: e.name ?? "", attrs: attributesToObject(e.attributes) }));
  const { reading, families, problems } = readConventions(attrs, spanEvents);
  const type = reading.type ?? (http ? "http_call" : null) ?? (parent ? "custom_event" : "custom_execution");
  const tokens = tokenColumns(reading.usage);
  const model = reading.model ? clip(reading.model, MAX_NAME) : null;
  const kept: Attrs = {};
  const payloadKeys = reading.payloadKeys ?? [];
  for (const [k, v] of Object.entries(attrs)) if (!isPayloadKey(k, payloadKeys)) kept[k] = v;

  const row = spanRow(
    {
      id: spanId,
      execution_id: traceId,
      parent_id: parent,
      type,
      name: clip(reading.name ?? (s.name || null), MAX_NAME) ?? `(unnamed ${SPAN_KINDS[s.kind ?? 0] ?? ""} span)`,
      status: isError ? "error" : endMs ? "success" : "running",
      started_at: iso(startMs),
    },
    endMs ? iso(endMs) : null,
  );
  row.step_type = type === "workflow_step" ? (reading.stepType ?? null) : null;
  row.input = reading.input ?? null;
  row.output = reading.output ?? null;
  row.metadata = spanMetadata(s, kept, resource, scope, families, problems);
  row.error = errorOf(s, spanEvents);
  row.llm_model = model;
  row.tokens_input = tokens.input;
  row.tokens_output = tokens.output;
  row.tokens_total = tokens.total;
  if (http?.url) {
    row.http_method = http.method;
    row.http_url = http.url;
    row.http_status = http.status;
  }
  if (type === "llm_call" || type === "embedding") row.llm = llmDetails(reading, tokens, model);

  const eventRows: SpanRow[] = [];
  events.forEach((e, i) => {
    if (isGenAiMessageEvent(e.name ?? "")) return; // read as the span's messages
    const at = iso(nanosToMs(e.timeUnixNano) || startMs);
    const ea = spanEvents[i].attrs;
    const isException = e.name === "exception";
    const event = spanRow(
      {
        id: `${spanId}-${i}`,
        execution_id: traceId,
        parent_id: spanId,
        type: isException ? "error" : "log",
        name: clip(isException ? (str(ea["exception.type"]) ?? "exception") : e.name || "event", MAX_NAME)!,
        status: isException ? "error" : "success",
        started_at: at,
      },
      at,
    );
    event.metadata = eventMetadata(ea, isException);
    event.error = isException ? exceptionError(ea) : null;
    eventRows.push(event);
  });
  // An LLM call's messages also become the execution's conversation (its chat view and thread).
  if (type === "llm_call") for (const m of conversationRows(row)) eventRows.push(m);
  return { placed: { row, resource, context: reading.context, hasParent: parent !== null }, events: eventRows };
}

/**
 * The span's metadata: what OTLP carries that no column holds. Keys are set in one order and only
 * when present (as `compact` of a literal gave them, without deleting keys from a built object).
 */
function spanMetadata(
  s: OtlpSpan,
  kept: Attrs,
  resource: Attrs,
  scope: Attrs | undefined,
  families: string[],
  problems: string[],
): Attrs {
  const flags = s.flags ?? 0;
  const m: Attrs = { spanKind: SPAN_KINDS[s.kind ?? 0] ?? String(s.kind), attributes: kept, resource };
  if (scope !== undefined) m.scope = scope;
  if (s.traceState) m.traceState = s.traceState;
  if (flags & SPAN_FLAGS_HAS_IS_REMOTE) m.parentIsRemote = Boolean(flags & SPAN_FLAGS_IS_REMOTE);
  if (s.status?.message) m.statusMessage = s.status.message;
  if (s.links?.length)
    m.links = s.links.map((l) =>
      compact({ traceId: hex(l.traceId), spanId: hex(l.spanId), attributes: nonEmpty(l.attributes) }),
    );
  if (s.droppedAttributesCount || s.droppedEventsCount || s.droppedLinksCount)
    m.dropped = {
      attributes: s.droppedAttributesCount ?? 0,
      events: s.droppedEventsCount ?? 0,
      links: s.droppedLinksCount ?? 0,
    };
  if (families.length) m.conventions = families;
  if (problems.length) m.conventionProblems = problems;
  return m;
}

type TokenColumns = { input: number | null; output: number | null; total: number | null };

/** The token columns: total as sent, else input + output when that is still a count. */
function tokenColumns(u: Reading["usage"]): TokenColumns {
  const input = u?.input ?? null;
  const output = u?.output ?? null;
  const total = u?.total ?? (input !== null || output !== null ? tokenCount((input ?? 0) + (output ?? 0)) : null);
  return { input, output, total };
}

/**
 * The `llm` object of an LLM or embedding span. `usage` holds the three counts of the columns (the
 * read API rebuilds it from them); cache and reasoning counts are in `usageDetails`.
 */
function llmDetails(r: Reading, tokens: TokenColumns, model: string | null): Record<string, unknown> {
  const u = r.usage ?? {};
  const details = compact({
    cacheReadTokens: u.cacheRead,
    cacheWriteTokens: u.cacheWrite,
    reasoningTokens: u.reasoning,
  });
  return compact({
    model,
    provider: r.provider ? clip(r.provider, MAX_NAME) : null,
    operation: r.operation ?? null,
    config: r.config ?? null,
    usage:
      tokens.input === null && tokens.output === null && tokens.total === null
        ? null
        : { inputTokens: tokens.input, outputTokens: tokens.output, totalTokens: tokens.total },
    usageDetails: Object.keys(details).length ? details : undefined,
    cost: r.cost,
    tools: r.tools,
    finishReasons: r.finishReasons,
    timeToFirstTokenMs: r.timeToFirstTokenMs,
  });
}

// ---------------------------------------------------------------------------------------------
// Executions

/**
 * Per trace of the request: the agent is the root span's `service.name` (a span without a
 * parent); without the root in this request, the earliest span's, and a later root still wins.
 * Ids come from the spans' conventions (root first, then by start), session.id also from the
 * resource: the thread is a conversation or thread id (`gen_ai.conversation.id`, the Vercel AI SDK's
 * `threadId` metadata, Traceloop's `thread_id`), else the session; the user id is the identify.
 */
function executionContexts(placed: Placed[]): ExecutionContext[] {
  const byTrace = new Map<string, Placed[]>();
  for (const p of placed) {
    const list = byTrace.get(p.row.execution_id);
    if (list) list.push(p);
    else byTrace.set(p.row.execution_id, [p]);
  }
  return [...byTrace].map(([executionId, list]) => {
    // Starts are ISO strings of one width (years 0001-9999, invalidSpan): compared as strings, not
    // through localeCompare's collation (the same order, for a fraction of the CPU).
    const ordered = [...list].sort(
      (a, b) => Number(a.hasParent) - Number(b.hasParent) || compareText(a.row.started_at, b.row.started_at),
    );
    const root = ordered.find((p) => !p.hasParent);
    // An id that cannot be stored exactly as sent is not used (it stays in the span's attributes).
    const pick = (read: (p: Placed) => unknown) => {
      for (const p of ordered) {
        const v = clip(str(read(p)), MAX_CONTEXT);
        if (v && isStorableText(v)) return v;
      }
      return null;
    };
    const session = pick((p) => p.context?.sessionId ?? p.resource["session.id"]);
    const user = pick((p) => p.context?.userId);
    const head = root ?? ordered[0];
    return {
      execution_id: executionId,
      agent: clip(str(head.resource["service.name"]), MAX_CONTEXT) ?? DEFAULT_AGENT,
      agent_from_root: !!root && !!str(root.resource["service.name"]),
      ...emptyContextFields(),
      thread_id: pick((p) => p.context?.threadId) ?? session,
      session_id: session,
      company_id: pick((p) => p.context?.companyId),
      identify_type: user ? "user" : null,
      identify_value: user,
    };
  });
}
