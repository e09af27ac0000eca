import { z } from "zod";
import {
  epochProblem,
  isoProblem,
  isStorableText,
  MAX_TOKENS,
  ZFieldIssue,
  ZIsoInstant,
  ZWholeEpochMs,
  zStorableId,
} from "./common.ts";
import { RUN_STATUSES } from "./executions.ts";

/** Limits of API.md: 5 MB bodies, 1,000 items a batch. */
export const INGEST_MAX_BYTES = 5 * 1024 * 1024;
export const INGEST_MAX_ITEMS = 1000;

/** ISO-8601 string or whole epoch milliseconds, of an instant Postgres can store; as a Date. */
export const ZTimestamp = z.union([ZIsoInstant, ZWholeEpochMs]).transform((v) => new Date(v));

export const SPAN_TYPES = [
  "agent_execution",
  "workflow_execution",
  "workflow_step",
  "llm_call",
  "tool_call",
  "memory",
  "custom_execution",
  "custom_event",
  "conversation_message",
  "http_call",
  "log",
  "error",
  "embedding",
  "retrieval",
  "guardrail",
] as const;
export const STEP_TYPES = ["function", "agent", "connector", "condition", "switch", "foreach", "parallel"] as const;

/** The statuses a client reports; "cancelled" is only set by sources that know it (Cloudflare, Output). */
export const ZReportedStatus = z.enum(RUN_STATUSES).exclude(["cancelled"]);

const ZId = zStorableId(1, 128);
/** Thread, session and company ids: optional, and keys of their own (filters, conversations). */
const ZContextId = zStorableId(0, 256).nullish();

export const ZUsage = z.object({
  inputTokens: z.number().int().nonnegative().nullish(),
  outputTokens: z.number().int().nonnegative().nullish(),
  totalTokens: z.number().int().nonnegative().nullish(),
});

export const ZLlm = z.object({
  model: z.string().max(256).nullish(),
  provider: z.string().max(256).nullish(),
  promptName: z.string().max(256).nullish(),
  variables: z.unknown().optional(),
  config: z.unknown().optional(),
  usage: ZUsage.nullish(),
  cost: z.number().nonnegative().nullish(),
});

export const ZHttp = z.object({
  method: z.string().min(1).max(16),
  url: z.string().min(1).max(8192),
  statusCode: z.number().int().min(0).max(999).nullish(),
});

export const ZError = z.object({
  name: z.string().max(256).nullish(),
  message: z.string().max(100_000),
  stack: z.string().max(200_000).nullish(),
});

/**
 * A JSON object kept as sent. zod's record and object schemas copy by assignment, and assigning a
 * "__proto__" key sets the copy's prototype instead: the key would vanish. JSON.parse made it an
 * own key, and so it stays (serialize.ts and the redactor keep own keys too).
 */
const ZJsonObject = z.custom<Record<string, unknown>>((v) => isJsonObject(v), "Expected an object.");

export const ZMessageContent = z.union([
  z.string(),
  z.custom<{ type: string } & Record<string, unknown>>(
    (v) => isJsonObject(v) && isStr(v.type, 1, 64),
    "Expected a string or an object with a type of 1 to 64 characters.",
  ),
]);

export const ZMessage = z.object({
  role: z.string().min(1).max(64),
  content: ZMessageContent,
  metadata: ZJsonObject.nullish(),
});

export const ZTraceRecord = z
  .object({
    id: ZId,
    executionId: ZId,
    parentId: zStorableId(0, 128).nullish(),
    type: z.string().min(1).max(64),
    name: z.string().min(1).max(256),
    stepType: z.string().max(64).nullish(),
    status: ZReportedStatus.nullish(),
    startedAt: ZTimestamp,
    endedAt: ZTimestamp.nullish(),
    agent: z.string().min(1).max(256).nullish(),
    threadId: ZContextId,
    sessionId: ZContextId,
    companyId: ZContextId,
    identify: z.object({ type: z.string().min(1).max(128), value: z.string().min(1).max(512) }).nullish(),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    metadata: z.unknown().optional(),
    error: ZError.nullish(),
    llm: ZLlm.nullish(),
    http: ZHttp.nullish(),
    message: ZMessage.nullish(),
  })
  .superRefine((t, ctx) => {
    if (t.type === "conversation_message" && !t.message) {
      ctx.addIssue({ code: "custom", path: ["message"], message: "Required when type is conversation_message." });
    }
    if (t.endedAt && t.endedAt < t.startedAt) {
      ctx.addIssue({ code: "custom", path: ["endedAt"], message: "Must not be before startedAt." });
    }
    if (t.parentId === t.id)
      ctx.addIssue({ code: "custom", path: ["parentId"], message: "A span cannot be its own parent." });
    if (derivedTotalTooLarge(t.llm?.usage))
      ctx.addIssue({
        code: "custom",
        path: ["llm", "usage", "totalTokens"],
        message: `Required when inputTokens + outputTokens exceeds ${MAX_TOKENS}, the largest token count stored.`,
      });
  });
/** The stored total of usage without totalTokens is input + output: it must be a token count too. */
function derivedTotalTooLarge(usage: z.output<typeof ZUsage> | null | undefined): boolean {
  return !!usage && usage.totalTokens == null && (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0) > MAX_TOKENS;
}

export type TraceRecordInput = z.input<typeof ZTraceRecord>;
export type TraceRecord = z.output<typeof ZTraceRecord>;

export const ZTrackEvent = z.object({
  id: ZId.nullish(),
  name: z.string().min(1).max(128),
  properties: ZJsonObject.nullish(),
  timestamp: ZTimestamp.nullish(),
  threadId: ZContextId,
  executionId: zStorableId(0, 128).nullish(),
  agent: z.string().min(1).max(256).nullish(),
});
export type TrackEventInput = z.input<typeof ZTrackEvent>;
export type TrackEvent = z.output<typeof ZTrackEvent>;

/** The envelopes are checked first (items unchecked), then each item alone. */
export const ZTracesEnvelope = z.object({
  traces: z.array(z.unknown()).max(INGEST_MAX_ITEMS, `At most ${INGEST_MAX_ITEMS} traces a batch.`),
});
export const ZEventsEnvelope = z.object({
  events: z.array(z.unknown()).max(INGEST_MAX_ITEMS, `At most ${INGEST_MAX_ITEMS} events a batch.`),
});

/** One item's answer in a 207: 201 stored (or queued), 400 refused alone with why. */
export const ZItemResult = z.strictObject({
  id: z.string().nullable().describe("The item's id as sent (null when it had none)"),
  status: z.union([z.literal(201), z.literal(400)]),
  error: z.strictObject({ code: z.string(), message: z.string(), details: z.array(ZFieldIssue) }).optional(),
});
export type ItemResult = z.infer<typeof ZItemResult>;
/** The 207 of an ingest endpoint: one result per item, in request order. */
export const ZIngestResponse = z.strictObject({
  accepted: z.number().int(),
  rejected: z.number().int(),
  results: z.array(ZItemResult),
});
export type IngestResponse = z.infer<typeof ZIngestResponse>;
/** Ingest answers are not compressed: clients only read per-item results, and gzip at ingest rates is CPU the server needs. */
export const INGEST_RESPONSE_HEADERS = { "cache-control": "no-store, no-transform" };

/** "Load sample data": what the generator sent. */
export const ZDemoResult = z.strictObject({ executions: z.number().int(), events: z.number().int() });
export type DemoResult = z.infer<typeof ZDemoResult>;

// ---------------------------------------------------------------------------------------------
// Fast path of ZTraceRecord for the common well-formed record. Validation is most of the CPU a
// span costs the web process after JSON parsing; this returns exactly what
// `ZTraceRecord.safeParse(item).data` returns (same keys present, same values, unknown keys
// dropped) or null, and then the schema decides. It only ever accepts what the schema accepts, and
// hands anything unusual or invalid to the schema, so every error still comes from zod.
// lib/contracts/ingest.test.ts compares both on valid, mutated and invalid records.

type Obj = Record<string, unknown>;

function isJsonObject(v: unknown): v is Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const isStr = (v: unknown, min: number, max: number): v is string =>
  typeof v === "string" && v.length >= min && v.length <= max;
/** zStorableId. */
const isId = (v: unknown, min: number, max: number): v is string => isStr(v, min, max) && isStorableText(v);
const isNonNegInt = (v: unknown, max: number): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v <= max;

/** ZTimestamp: an ISO-8601 string or whole epoch milliseconds, storable, as a Date; undefined when invalid. */
function timestamp(v: unknown): Date | undefined {
  if (typeof v === "string") return isoProblem(v) ? undefined : new Date(v);
  return typeof v === "number" && !epochProblem(v, "milliseconds", true) ? new Date(v) : undefined;
}

/** An optional (nullish) key: absent stays absent, null and undefined stay as they are. */
const NOT_OK = Symbol("invalid");
function optional(input: Obj, out: Obj, key: string, check: (v: unknown) => unknown | typeof NOT_OK): boolean {
  if (!(key in input)) return true;
  const v = input[key];
  if (v === null || v === undefined) {
    out[key] = v;
    return true;
  }
  const r = check(v);
  if (r === NOT_OK) return false;
  out[key] = r;
  return true;
}

const optString = (input: Obj, out: Obj, key: string, max: number, min = 0) =>
  optional(input, out, key, (v) => (isStr(v, min, max) ? v : NOT_OK));
const optId = (input: Obj, out: Obj, key: string, max: number) =>
  optional(input, out, key, (v) => (isId(v, 0, max) ? v : NOT_OK));
const optInt = (input: Obj, out: Obj, key: string, max: number) =>
  optional(input, out, key, (v) => (isNonNegInt(v, max) ? v : NOT_OK));
const optAny = (input: Obj, out: Obj, key: string) => {
  if (key in input) out[key] = input[key];
};

function usage(v: unknown): Obj | typeof NOT_OK {
  if (!isJsonObject(v)) return NOT_OK;
  const out: Obj = {};
  const max = MAX_TOKENS;
  return optInt(v, out, "inputTokens", max) && optInt(v, out, "outputTokens", max) && optInt(v, out, "totalTokens", max)
    ? out
    : NOT_OK;
}

function llm(v: unknown): Obj | typeof NOT_OK {
  if (!isJsonObject(v)) return NOT_OK;
  const out: Obj = {};
  if (!optString(v, out, "model", 256) || !optString(v, out, "provider", 256) || !optString(v, out, "promptName", 256))
    return NOT_OK;
  optAny(v, out, "variables");
  optAny(v, out, "config");
  if (!optional(v, out, "usage", usage)) return NOT_OK;
  const costOk = optional(v, out, "cost", (c) => (typeof c === "number" && Number.isFinite(c) && c >= 0 ? c : NOT_OK));
  return costOk ? out : NOT_OK;
}

function error(v: unknown): Obj | typeof NOT_OK {
  if (!isJsonObject(v) || !("message" in v) || !isStr(v.message, 0, 100_000)) return NOT_OK;
  const out: Obj = {};
  if (!optString(v, out, "name", 256)) return NOT_OK;
  out.message = v.message;
  return optString(v, out, "stack", 200_000) ? out : NOT_OK;
}

function http(v: unknown): Obj | typeof NOT_OK {
  if (!isJsonObject(v) || !("method" in v) || !("url" in v)) return NOT_OK;
  if (!isStr(v.method, 1, 16) || !isStr(v.url, 1, 8192)) return NOT_OK;
  const out: Obj = { method: v.method, url: v.url };
  return optInt(v, out, "statusCode", 999) ? out : NOT_OK;
}

function identify(v: unknown): Obj | typeof NOT_OK {
  if (!isJsonObject(v) || !("type" in v) || !("value" in v)) return NOT_OK;
  return isStr(v.type, 1, 128) && isStr(v.value, 1, 512) ? { type: v.type, value: v.value } : NOT_OK;
}

/** ZMessage with text content (object content goes to the schema). */
function message(v: unknown): Obj | typeof NOT_OK {
  if (!isJsonObject(v) || !("role" in v) || !("content" in v)) return NOT_OK;
  if (!isStr(v.role, 1, 64) || typeof v.content !== "string") return NOT_OK;
  const out: Obj = { role: v.role, content: v.content };
  const metaOk = optional(v, out, "metadata", (m) => (isJsonObject(m) ? m : NOT_OK));
  return metaOk ? out : NOT_OK;
}

const STATUSES = new Set<string>(ZReportedStatus.options);

/**
 * The fields the fast path knows. A schema with other fields (someone added one and not here)
 * switches the fast path off rather than dropping the new field: correct, only slower, and
 * lib/contracts/ingest.test.ts fails until both agree again.
 */
const FAST_SHAPES: [z.ZodObject, string][] = [
  [
    ZTraceRecord,
    "id executionId parentId type name stepType status startedAt endedAt agent threadId sessionId companyId identify input output metadata error llm http message",
  ],
  [ZLlm, "model provider promptName variables config usage cost"],
  [ZUsage, "inputTokens outputTokens totalTokens"],
  [ZError, "name message stack"],
  [ZHttp, "method url statusCode"],
  [ZMessage, "role content metadata"],
];
export const TRACE_FAST_PATH_ENABLED = FAST_SHAPES.every(
  ([schema, keys]) => Object.keys(schema.shape).join(" ") === keys,
);

export function parseTraceRecordFast(item: unknown): TraceRecord | null {
  if (!TRACE_FAST_PATH_ENABLED || !isJsonObject(item)) return null;
  const t = item;
  if (!("id" in t) || !("executionId" in t) || !("type" in t) || !("name" in t) || !("startedAt" in t)) return null;
  if (!isId(t.id, 1, 128) || !isId(t.executionId, 1, 128) || !isStr(t.type, 1, 64) || !isStr(t.name, 1, 256))
    return null;
  const startedAt = timestamp(t.startedAt);
  if (!startedAt) return null;
  // Keys in the schema's order, each present in the output exactly when present in the input.
  const out: Obj = { id: t.id, executionId: t.executionId };
  if (!optId(t, out, "parentId", 128)) return null;
  out.type = t.type;
  out.name = t.name;
  if (!optString(t, out, "stepType", 64)) return null;
  if (!optional(t, out, "status", (s) => (typeof s === "string" && STATUSES.has(s) ? s : NOT_OK))) return null;
  out.startedAt = startedAt;
  if (!optional(t, out, "endedAt", (e) => timestamp(e) ?? NOT_OK)) return null;
  if (
    !optString(t, out, "agent", 256, 1) ||
    !optId(t, out, "threadId", 256) ||
    !optId(t, out, "sessionId", 256) ||
    !optId(t, out, "companyId", 256) ||
    !optional(t, out, "identify", identify)
  )
    return null;
  optAny(t, out, "input");
  optAny(t, out, "output");
  optAny(t, out, "metadata");
  if (
    !optional(t, out, "error", error) ||
    !optional(t, out, "llm", llm) ||
    !optional(t, out, "http", http) ||
    !optional(t, out, "message", message)
  )
    return null;
  // The schema's refinements: anything they would flag goes to the schema for its message.
  const r = out as TraceRecord;
  if (r.type === "conversation_message" && !r.message) return null;
  if (r.endedAt && r.endedAt < r.startedAt) return null;
  if (r.parentId === r.id) return null;
  if (derivedTotalTooLarge(r.llm?.usage)) return null;
  return r;
}
