import { epochProblem } from "../../../contracts/common.ts";
import {
  OTLP_REQUESTS,
  OTLP_TO_OBJECT,
  type OtlpEncoding,
  type OtlpLogRecord,
  type OtlpLogsRequest,
  type OtlpSpan,
  type OtlpTraceRequest,
} from "../../../contracts/otlp.ts";

/**
 * Decoding OTLP/HTTP export requests (the wire contract is lib/contracts/otlp.ts): binary protobuf
 * as protobufjs reads it, and OTLP/JSON, whose hex ids and decimal-string times protobufjs would
 * misread, prepared first so that a span or log record it cannot read is rejected alone.
 */

const ExportRequest = OTLP_REQUESTS.traces;
const ExportLogsRequest = OTLP_REQUESTS.logs;

/** Thrown for a body that is not an ExportTraceServiceRequest in the given encoding (HTTP 400). */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtlpDecodeError";
  }
}

/** Decodes an ExportTraceServiceRequest (binary protobuf or OTLP/JSON). */
export function decodeTraceRequest(body: Uint8Array, encoding: OtlpEncoding): OtlpTraceRequest {
  try {
    if (encoding === "protobuf")
      return ExportRequest.toObject(ExportRequest.decode(body), OTLP_TO_OBJECT) as OtlpTraceRequest;
    const json = parseJsonObject(Buffer.from(body).toString("utf8"));
    const unreadable = unreadableFields(json);
    hexIdsToBytes(json);
    const req = ExportRequest.toObject(ExportRequest.fromObject(json), OTLP_TO_OBJECT) as OtlpTraceRequest;
    eachSpan(req as Record<string, unknown>, (span, at) => {
      const problem = unreadable.get(at);
      if (problem) (span as OtlpSpan).unreadable = problem;
    });
    return req;
  } catch (e) {
    if (e instanceof OtlpDecodeError) throw e;
    throw new OtlpDecodeError(`The body is not an OTLP ExportTraceServiceRequest: ${(e as Error).message}`);
  }
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new OtlpDecodeError(`The body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new OtlpDecodeError("The body must be a JSON object (an ExportTraceServiceRequest).");
  return value as Record<string, unknown>;
}

type JsonObject = Record<string, unknown>;

/** Calls `visit` with each object of an array (anything else is left to protobufjs to refuse). */
function eachObject(v: unknown, visit: (o: JsonObject, i: number) => void): void {
  if (!Array.isArray(v)) return;
  v.forEach((o, i) => {
    if (o && typeof o === "object") visit(o as JsonObject, i);
  });
}

/** Calls `fn` with every span object of a request (decoded or JSON) and its position "i.j.k". */
function eachSpan(req: JsonObject, fn: (span: JsonObject, at: string) => void): void {
  eachObject(req.resourceSpans, (rs, i) =>
    eachObject(rs.scopeSpans, (ss, j) => eachObject(ss.spans, (span, k) => fn(span, `${i}.${j}.${k}`))),
  );
}

const MAX_FIXED64 = 2n ** 64n - 1n;

/** Why an OTLP/JSON fixed64 nanosecond time is not a storable instant, or null (absent is unset). */
function jsonNanosProblem(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const whole = typeof v === "number" ? Number.isInteger(v) : typeof v === "string" && /^-?\d+$/.test(v);
  if (!whole) return "Expected whole nanoseconds since the epoch, as a decimal string.";
  const n = BigInt(v as number | string);
  const outsideFixed64 = n < 0n || n > MAX_FIXED64;
  return epochProblem(n, "nanoseconds") ?? (outsideFixed64 ? `Expected nanoseconds from 0 to ${MAX_FIXED64}.` : null);
}

/**
 * The fields of OTLP/JSON spans that protobufjs would read as something else, by span position,
 * each span's first: times it would read as another time ("-1" becomes 2^64-1, "abc" 0, 1e30 a
 * wrapped value; each replaced by "0" so that decoding goes on and only that span is rejected), and
 * ids that are not their size in hex or base64 (which become empty, and an empty parentSpanId
 * would make the span a root: the protobuf path rejects a 7-byte parent, so this one does too).
 */
function unreadableFields(req: JsonObject): Map<string, string> {
  const out = new Map<string, string>();
  const note = (at: string, problem: string) => {
    if (!out.has(at)) out.set(at, problem);
  };
  eachSpan(req, (span, at) => {
    for (const [key, bytes] of SPAN_IDS) {
      const v = span[key];
      if (typeof v === "string" && v !== "" && idBytes(v, bytes).length === 0)
        note(
          at,
          `${key} must be ${key === "parentSpanId" ? "empty or " : ""}${bytes} bytes (${bytes * 2} hex characters)`,
        );
    }
    const fields: [JsonObject, string, string][] = [
      [span, "startTimeUnixNano", "startTimeUnixNano"],
      [span, "endTimeUnixNano", "endTimeUnixNano"],
    ];
    eachObject(span.events, (e, i) => fields.push([e, "timeUnixNano", `events[${i}].timeUnixNano`]));
    for (const [o, key, path] of fields) {
      const problem = jsonNanosProblem(o[key]);
      if (!problem) continue;
      note(at, `${path}: ${problem}`);
      o[key] = "0";
    }
  });
  return out;
}

const SPAN_IDS = [
  ["traceId", 16],
  ["spanId", 8],
  ["parentSpanId", 8],
] as const;

/** The bytes of a hex (or, as some early exporters sent, base64) id of `bytes` bytes; empty otherwise. */
function idBytes(v: string, bytes: number): Uint8Array {
  if (v.length === bytes * 2 && /^[0-9a-f]+$/i.test(v)) return Buffer.from(v, "hex");
  if (v.length === Math.ceil(bytes / 3) * 4 && /^[A-Za-z0-9+/]+=*$/.test(v)) {
    const decoded = Buffer.from(v, "base64");
    if (decoded.length === bytes) return decoded;
  }
  return new Uint8Array(0);
}

/**
 * OTLP/JSON writes trace and span ids as hex (protobuf's JSON mapping would use base64, which
 * protobufjs expects): converts them to bytes before protobufjs sees them. Anything else becomes an
 * empty id; `unreadableFields` has recorded it, so that span is rejected alone.
 */
function hexIdsToBytes(req: JsonObject): JsonObject {
  const id = (v: unknown, bytes: number): unknown => (typeof v === "string" ? idBytes(v, bytes) : v);
  eachSpan(req, (span) => {
    for (const [key, bytes] of SPAN_IDS) if (key in span) span[key] = id(span[key], bytes);
    eachObject(span.links, (link) => {
      if ("traceId" in link) link.traceId = id(link.traceId, 16);
      if ("spanId" in link) link.spanId = id(link.spanId, 8);
    });
  });
  return req;
}

/** Encodes a request (tests build protobuf bodies with it). */
export function encodeTraceRequest(req: Record<string, unknown>): Uint8Array {
  return ExportRequest.encode(ExportRequest.fromObject(hexIdsToBytes(structuredClone(req)))).finish();
}

/** Calls `fn` with every log record object of a request (decoded or JSON) and its position "i.j.k". */
function eachLogRecord(req: JsonObject, fn: (record: JsonObject, at: string) => void): void {
  eachObject(req.resourceLogs, (rl, i) =>
    eachObject(rl.scopeLogs, (sl, j) => eachObject(sl.logRecords, (r, k) => fn(r, `${i}.${j}.${k}`))),
  );
}

const LOG_IDS = [
  ["traceId", 16],
  ["spanId", 8],
] as const;

/**
 * OTLP/JSON log records as protobufjs must see them: hex ids as bytes and times it would misread
 * replaced by "0", each record's first problem returned by position (that record alone is rejected).
 */
function prepareJsonLogRecords(req: JsonObject): Map<string, string> {
  const out = new Map<string, string>();
  eachLogRecord(req, (r, at) => {
    for (const [key, bytes] of LOG_IDS) {
      const v = r[key];
      if (typeof v !== "string") continue;
      r[key] = idBytes(v, bytes);
      if (v !== "" && (r[key] as Uint8Array).length === 0 && !out.has(at))
        out.set(at, `${key} must be empty or ${bytes} bytes (${bytes * 2} hex characters)`);
    }
    for (const key of ["timeUnixNano", "observedTimeUnixNano"]) {
      const problem = jsonNanosProblem(r[key]);
      if (!problem) continue;
      if (!out.has(at)) out.set(at, `${key}: ${problem}`);
      r[key] = "0";
    }
  });
  return out;
}

/** Decodes an ExportLogsServiceRequest (binary protobuf or OTLP/JSON). */
export function decodeLogsRequest(body: Uint8Array, encoding: OtlpEncoding): OtlpLogsRequest {
  try {
    if (encoding === "protobuf")
      return ExportLogsRequest.toObject(ExportLogsRequest.decode(body), OTLP_TO_OBJECT) as OtlpLogsRequest;
    const json = parseJsonObject(Buffer.from(body).toString("utf8"));
    const unreadable = prepareJsonLogRecords(json);
    const req = ExportLogsRequest.toObject(ExportLogsRequest.fromObject(json), OTLP_TO_OBJECT) as OtlpLogsRequest;
    eachLogRecord(req as JsonObject, (r, at) => {
      const problem = unreadable.get(at);
      if (problem) (r as OtlpLogRecord).unreadable = problem;
    });
    return req;
  } catch (e) {
    if (e instanceof OtlpDecodeError) throw e;
    throw new OtlpDecodeError(`The body is not an OTLP ExportLogsServiceRequest: ${(e as Error).message}`);
  }
}

/** Encodes a logs request given in OTLP/JSON form (hex ids); tests build protobuf bodies with it. */
export function encodeLogsRequest(req: Record<string, unknown>): Uint8Array {
  const copy = structuredClone(req);
  prepareJsonLogRecords(copy);
  return ExportLogsRequest.encode(ExportLogsRequest.fromObject(copy)).finish();
}
