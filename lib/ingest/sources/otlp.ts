import { epochProblem, isStorableText, MAX_TOKENS } from "../../contracts/common.ts";
import {
  type OtlpAnyValue,
  type OtlpEvent,
  type OtlpKeyValue,
  type OtlpSpan,
  type OtlpTraceRequest,
  SPAN_FLAGS_HAS_IS_REMOTE,
  SPAN_FLAGS_IS_REMOTE,
  SPAN_KINDS,
  STATUS_CODE_ERROR,
} from "../../contracts/otlp.ts";
import { type ExecutionContext, emptyContextFields, emptySpanFields, type SpanRow } from "../model.ts";
import { DEFAULT_AGENT } from "./sdk.ts";

/**
 * Maps an OTLP ExportTraceServiceRequest to span rows. A trace is an execution (id: the trace id
 * in 32 lowercase hex); a span keeps its OTel span id (16 lowercase hex) and parent, so spans of
 * one trace may arrive over several exports in any order. Span events become child spans: an
 * `exception` an `error` span, any other a `log` span (ids `<span id>-<event index>`, stable on a
 * resend). GenAI, HTTP and session attributes fill the typed columns; everything else is kept in
 * metadata.
 */

export type OtlpMapping = {
  spans: SpanRow[];
  executions: ExecutionContext[];
  /** Spans of the request that were rejected, and why (first few reasons). */
  rejected: number;
  reasons: string[];
};

type Attrs = Record<string, unknown>;

/** One accepted span with what the mapping needs from its resource and scope. */
type Placed = { row: SpanRow; resource: Attrs; attrs: Attrs; hasParent: boolean };

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
        const problem = invalidSpan(span);
        if (problem) {
          rejected++;
          if (reasons.length < MAX_REASONS) reasons.push(problem);
          continue;
        }
        const mapped = mapSpan(span, resource, scope);
        placed.push(mapped.placed);
        spans.push(mapped.placed.row, ...mapped.events);
      }
    }
  }
  return { spans, executions: executionContexts(placed), rejected, reasons };
}

// ---------------------------------------------------------------------------------------------
// Ids, times, validation

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString("hex") : "");
const isZero = (b: Uint8Array) => b.every((x) => x === 0);
const isId = (b: Uint8Array | undefined, bytes: number): b is Uint8Array => b?.length === bytes && !isZero(b);

/** Why a span cannot be stored, or null. Ids must have their OTLP sizes and not be all zero. */
function invalidSpan(s: OtlpSpan): string | null {
  const label = `span ${hex(s.spanId) || "(no id)"}`;
  if (!isId(s.traceId, 16)) return `${label}: traceId must be 16 bytes (32 hex characters), not all zero`;
  if (!isId(s.spanId, 8)) return `${label}: spanId must be 8 bytes (16 hex characters), not all zero`;
  if (s.parentSpanId?.length && s.parentSpanId.length !== 8) return `${label}: parentSpanId must be empty or 8 bytes`;
  if (s.parentSpanId && hex(s.parentSpanId) === hex(s.spanId)) return `${label}: a span cannot be its own parent`;
  if (s.unreadable) return `${label}: ${s.unreadable}`;
  const times: [string, string | undefined][] = [
    ["startTimeUnixNano", s.startTimeUnixNano],
    ["endTimeUnixNano", s.endTimeUnixNano],
    ...(s.events ?? []).map((e, i): [string, string | undefined] => [`events[${i}].timeUnixNano`, e.timeUnixNano]),
  ];
  for (const [field, nanos] of times) {
    const problem = nanos ? epochProblem(BigInt(nanos), "nanoseconds") : null;
    if (problem) return `${label}: ${field}: ${problem}`;
  }
  const start = nanosToMs(s.startTimeUnixNano);
  if (start === 0) return `${label}: startTimeUnixNano is missing`;
  const end = nanosToMs(s.endTimeUnixNano);
  if (end !== 0 && end < start) return `${label}: endTimeUnixNano is before startTimeUnixNano`;
  return null;
}

/** Epoch milliseconds of a fixed64 nanosecond time (a decimal string, as decoded); 0 when unset. */
const nanosToMs = (nanos: string | undefined): number => (nanos ? Number(BigInt(nanos) / 1_000_000n) : 0);

const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------
// Attributes

/** OTLP key/values to a plain object: int64 as a number when exact, else its decimal string. */
export function attributesToObject(kvs: OtlpKeyValue[] | undefined): Attrs {
  const out: Attrs = {};
  for (const kv of kvs ?? []) if (kv.key) setOwn(out, kv.key, anyValue(kv.value));
  return out;
}

function anyValue(v: OtlpAnyValue | undefined): unknown {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : v.intValue;
  }
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue !== undefined) return attributesToObject(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue).toString("base64");
  return null;
}

function nonEmpty(kvs: OtlpKeyValue[] | undefined): Attrs | undefined {
  const o = attributesToObject(kvs);
  return Object.keys(o).length ? o : undefined;
}

/** Drops undefined keys (absent stays absent in the stored JSON). */
function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const clip = (v: string | null, max: number) => (v && v.length > max ? v.slice(0, max) : v);

/**
 * A count from an int or numeric-string attribute: whole, from 0 to `max` (the column's range),
 * else null. An attribute that does not fit is dropped, never the span.
 */
function count(v: unknown, max: number): number | null {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= max ? n : null;
}
const tokenCount = (v: unknown) => count(v, MAX_TOKENS);

/** Attribute values that carry JSON as a string (gen_ai.input.messages, tool arguments...). */
function jsonish(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) {
    try {
      return JSON.parse(t);
    } catch {
      return v;
    }
  }
  return v;
}

/** Highest position accepted in indexed attributes (a sparse array of billions would stall the mapping). */
const MAX_INDEX = 10_000;

/**
 * Indexed attributes (`gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, ...) under `prefix` as
 * an array of objects; numeric path segments are array positions. Null when there are none.
 * Keys come from the client: every write is an own property (no `__proto__` or `constructor` walk).
 */
export function unflattenIndexed(attrs: Attrs, prefix: string): unknown[] | null {
  const out: unknown[] = [];
  let found = false;
  const isIndex = (seg: string) => /^\d+$/.test(seg) && Number(seg) <= MAX_INDEX;
  for (const [key, value] of Object.entries(attrs)) {
    if (!key.startsWith(prefix)) continue;
    const path = key.slice(prefix.length).split(".");
    if (path.length < 2 || !isIndex(path[0])) continue;
    found = true;
    let node = out as unknown as Attrs;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i];
      if (Array.isArray(node) && !isIndex(seg)) break;
      if (!Object.hasOwn(node, seg)) setOwn(node, seg, isIndex(path[i + 1]) ? [] : {});
      const next = node[seg];
      if (typeof next !== "object" || next === null) break;
      node = next as Attrs;
      if (i === path.length - 2) setOwn(node, path[i + 1], jsonish(value));
    }
  }
  return found ? out.filter((m) => m !== undefined) : null;
}

/** Sets an own, enumerable property, whatever the key (`__proto__` included). */
function setOwn(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------
// GenAI, HTTP

/** Attribute keys whose values become the span's input or output (not repeated in metadata). */
const PAYLOAD_KEYS = [
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.prompt",
  "gen_ai.completion",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.call.result",
  "input.value",
  "output.value",
];
const isPayloadKey = (k: string) =>
  PAYLOAD_KEYS.includes(k) || k.startsWith("gen_ai.prompt.") || k.startsWith("gen_ai.completion.");

const LLM_OPERATIONS = new Set(["chat", "text_completion", "generate_content", "embeddings", "completion"]);
/** Events of the older GenAI conventions that carry the prompt and completion as attributes. */
const CONTENT_EVENTS: Record<string, "input" | "output"> = {
  "gen_ai.content.prompt": "input",
  "gen_ai.content.completion": "output",
};

function genAiType(attrs: Attrs): "agent_execution" | "tool_call" | "llm_call" | null {
  const op = str(attrs["gen_ai.operation.name"]);
  if (op === "invoke_agent" || op === "create_agent") return "agent_execution";
  if (op === "execute_tool") return "tool_call";
  if (
    (op && LLM_OPERATIONS.has(op)) ||
    str(attrs["gen_ai.request.model"]) ||
    str(attrs["gen_ai.response.model"]) ||
    str(attrs["gen_ai.system"]) ||
    str(attrs["gen_ai.provider.name"])
  )
    return "llm_call";
  return null;
}

/** Input and output of a span: GenAI messages (new, indexed or old attributes), tool calls, OpenInference values. */
function payloads(attrs: Attrs, events: OtlpEvent[]): { input: unknown; output: unknown } {
  const fromEvents: { input?: unknown; output?: unknown } = {};
  for (const e of events) {
    const side = CONTENT_EVENTS[e.name ?? ""];
    if (!side) continue;
    const ea = attributesToObject(e.attributes);
    fromEvents[side] ??= jsonish(ea[side === "input" ? "gen_ai.prompt" : "gen_ai.completion"]);
  }
  const first = (...vs: unknown[]) => vs.find((v) => v !== undefined && v !== null) ?? null;
  return {
    input: first(
      jsonish(attrs["gen_ai.input.messages"]),
      unflattenIndexed(attrs, "gen_ai.prompt."),
      jsonish(attrs["gen_ai.prompt"]),
      fromEvents.input,
      jsonish(attrs["gen_ai.tool.call.arguments"]),
      jsonish(attrs["input.value"]),
    ),
    output: first(
      jsonish(attrs["gen_ai.output.messages"]),
      unflattenIndexed(attrs, "gen_ai.completion."),
      jsonish(attrs["gen_ai.completion"]),
      fromEvents.output,
      jsonish(attrs["gen_ai.tool.call.result"]),
      jsonish(attrs["output.value"]),
    ),
  };
}

function usage(attrs: Attrs) {
  const input = tokenCount(attrs["gen_ai.usage.input_tokens"]) ?? tokenCount(attrs["gen_ai.usage.prompt_tokens"]);
  const output = tokenCount(attrs["gen_ai.usage.output_tokens"]) ?? tokenCount(attrs["gen_ai.usage.completion_tokens"]);
  const total =
    tokenCount(attrs["gen_ai.usage.total_tokens"]) ??
    tokenCount(attrs["llm.usage.total_tokens"]) ??
    (input !== null || output !== null ? tokenCount((input ?? 0) + (output ?? 0)) : null);
  return { input, output, total };
}

/** gen_ai.request.* other than the model: temperature, max_tokens, top_p... */
function requestConfig(attrs: Attrs): Attrs | null {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(attrs))
    if (k.startsWith("gen_ai.request.") && k !== "gen_ai.request.model") out[k.slice("gen_ai.request.".length)] = v;
  return Object.keys(out).length ? out : null;
}

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

function errorOf(s: OtlpSpan, events: OtlpEvent[]): { name?: string; message: string; stack?: string } | null {
  const exception = events.find((e) => e.name === "exception");
  if (exception) return exceptionError(attributesToObject(exception.attributes));
  if (s.status?.code === STATUS_CODE_ERROR)
    return { message: clip(s.status.message || null, MAX_ERROR.message) ?? "Error" };
  return null;
}

/** The SDK contract's bounds on errors (lib/contracts/ingest.ts ZError). */
const MAX_ERROR = { name: 256, message: 100_000, stack: 200_000 };

function exceptionError(a: Attrs): { name?: string; message: string; stack?: string } {
  const name = clip(str(a["exception.type"]), MAX_ERROR.name) ?? undefined;
  const message = clip(str(a["exception.message"]), MAX_ERROR.message) ?? name ?? "exception";
  return compact({ name, message, stack: clip(str(a["exception.stacktrace"]), MAX_ERROR.stack) ?? undefined });
}

/** An event's attributes, without the exception fields already in the error span's `error`. */
function eventMetadata(a: Attrs, isException: boolean): Attrs | null {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(a))
    if (!isException || !["exception.type", "exception.message", "exception.stacktrace"].includes(k)) out[k] = v;
  return Object.keys(out).length ? out : null;
}

function mapSpan(s: OtlpSpan, resource: Attrs, scope: Attrs | undefined): { placed: Placed; events: SpanRow[] } {
  const traceId = hex(s.traceId);
  const spanId = hex(s.spanId);
  const parent = isId(s.parentSpanId, 8) ? hex(s.parentSpanId) : null;
  const attrs = attributesToObject(s.attributes);
  const events = s.events ?? [];
  const startMs = nanosToMs(s.startTimeUnixNano)!;
  const endMs = nanosToMs(s.endTimeUnixNano)!;
  const isError = s.status?.code === STATUS_CODE_ERROR;
  const http = httpCall(attrs);
  const semantic = genAiType(attrs) ?? (http ? "http_call" : null);
  const tokens = usage(attrs);
  const { input, output } = payloads(attrs, events);
  const model = str(attrs["gen_ai.response.model"]) ?? str(attrs["gen_ai.request.model"]);
  const type = semantic ?? (parent ? "custom_event" : "custom_execution");
  const flags = s.flags ?? 0;
  const kept: Attrs = {};
  for (const [k, v] of Object.entries(attrs)) if (!isPayloadKey(k)) kept[k] = v;

  const row: SpanRow = {
    ...emptySpanFields(),
    id: spanId,
    execution_id: traceId,
    parent_id: parent,
    type,
    name: clip(s.name || null, MAX_NAME) ?? `(unnamed ${SPAN_KINDS[s.kind ?? 0] ?? ""} span)`,
    status: isError ? "error" : endMs ? "success" : "running",
    started_at: iso(startMs),
    ended_at: endMs ? iso(endMs) : null,
    input,
    output,
    metadata: compact({
      spanKind: SPAN_KINDS[s.kind ?? 0] ?? String(s.kind),
      attributes: kept,
      resource,
      scope,
      traceState: s.traceState || undefined,
      parentIsRemote: flags & SPAN_FLAGS_HAS_IS_REMOTE ? Boolean(flags & SPAN_FLAGS_IS_REMOTE) : undefined,
      statusMessage: s.status?.message || undefined,
      links: s.links?.length
        ? s.links.map((l) =>
            compact({ traceId: hex(l.traceId), spanId: hex(l.spanId), attributes: nonEmpty(l.attributes) }),
          )
        : undefined,
      dropped:
        s.droppedAttributesCount || s.droppedEventsCount || s.droppedLinksCount
          ? {
              attributes: s.droppedAttributesCount ?? 0,
              events: s.droppedEventsCount ?? 0,
              links: s.droppedLinksCount ?? 0,
            }
          : undefined,
    }),
    error: errorOf(s, events),
    llm_model: model,
    tokens_input: tokens.input,
    tokens_output: tokens.output,
    tokens_total: tokens.total,
    http_method: http?.url ? http.method : null,
    http_url: http?.url ?? null,
    http_status: http?.url ? http.status : null,
  };
  if (type === "llm_call") {
    row.llm = {
      model,
      provider: str(attrs["gen_ai.provider.name"]) ?? str(attrs["gen_ai.system"]),
      operation: str(attrs["gen_ai.operation.name"]),
      config: requestConfig(attrs),
      usage:
        tokens.input === null && tokens.output === null && tokens.total === null
          ? null
          : { inputTokens: tokens.input, outputTokens: tokens.output, totalTokens: tokens.total },
    };
  }

  const eventRows: SpanRow[] = [];
  events.forEach((e, i) => {
    if (CONTENT_EVENTS[e.name ?? ""]) return;
    const at = iso(nanosToMs(e.timeUnixNano) || startMs);
    const ea = attributesToObject(e.attributes);
    const isException = e.name === "exception";
    eventRows.push({
      ...emptySpanFields(),
      id: `${spanId}-${i}`,
      execution_id: traceId,
      parent_id: spanId,
      type: isException ? "error" : "log",
      name: clip(isException ? (str(ea["exception.type"]) ?? "exception") : e.name || "event", MAX_NAME)!,
      status: isException ? "error" : "success",
      started_at: at,
      ended_at: at,
      metadata: eventMetadata(ea, isException),
      error: isException ? exceptionError(ea) : null,
    });
  });
  return { placed: { row, resource, attrs, hasParent: parent !== null }, events: eventRows };
}

// ---------------------------------------------------------------------------------------------
// Executions

/**
 * Per trace of the request: the agent is the root span's `service.name` (a span without a
 * parent); without the root in this request, the earliest span's, and a later root still wins.
 * session.id (span, then resource) is the session and, unless gen_ai.conversation.id is set, the thread.
 */
function executionContexts(placed: Placed[]): ExecutionContext[] {
  const byTrace = new Map<string, Placed[]>();
  for (const p of placed) {
    const list = byTrace.get(p.row.execution_id);
    if (list) list.push(p);
    else byTrace.set(p.row.execution_id, [p]);
  }
  return [...byTrace].map(([executionId, list]) => {
    const ordered = [...list].sort(
      (a, b) => Number(a.hasParent) - Number(b.hasParent) || a.row.started_at.localeCompare(b.row.started_at),
    );
    const root = ordered.find((p) => !p.hasParent);
    // An id that cannot be stored exactly as sent is not used (it stays in the span's attributes).
    const pick = (key: string) => {
      for (const p of ordered) {
        const v = clip(str(p.attrs[key]) ?? str(p.resource[key]), MAX_CONTEXT);
        if (v && isStorableText(v)) return v;
      }
      return null;
    };
    const session = pick("session.id");
    const head = root ?? ordered[0];
    return {
      execution_id: executionId,
      agent: clip(str(head.resource["service.name"]), MAX_CONTEXT) ?? DEFAULT_AGENT,
      agent_from_root: !!root && !!str(root.resource["service.name"]),
      ...emptyContextFields(),
      thread_id: pick("gen_ai.conversation.id") ?? session,
      session_id: session,
    };
  });
}
