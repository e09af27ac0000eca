import protobuf from "protobufjs";
import { epochProblem } from "./common.ts";

/**
 * The OTLP/HTTP trace and logs wire contract: the messages of opentelemetry-proto
 * (collector/trace/v1, trace/v1, collector/logs/v1, logs/v1, common/v1, resource/v1) and google.rpc.Status, written from the
 * specification, decoded and encoded by protobufjs. Fields this receiver does not read (entity
 * refs, deprecated ones) are left out: unknown fields are skipped, as the specification requires.
 * Field names become lowerCamelCase, which is also the OTLP/JSON key format.
 */
const PROTO = `
syntax = "proto3";

package opentelemetry.proto;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}

message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  enum SpanKind {
    SPAN_KIND_UNSPECIFIED = 0;
    SPAN_KIND_INTERNAL = 1;
    SPAN_KIND_SERVER = 2;
    SPAN_KIND_CLIENT = 3;
    SPAN_KIND_PRODUCER = 4;
    SPAN_KIND_CONSUMER = 5;
  }
  SpanKind kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  string message = 2;
  enum StatusCode {
    STATUS_CODE_UNSET = 0;
    STATUS_CODE_OK = 1;
    STATUS_CODE_ERROR = 2;
  }
  StatusCode code = 3;
}

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}

message ResourceLogs {
  Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
  string schema_url = 3;
}
message ScopeLogs {
  InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
  string schema_url = 3;
}
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}

message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message ExportLogsPartialSuccess {
  int64 rejected_log_records = 1;
  string error_message = 2;
}

message RpcAny {
  string type_url = 1;
  bytes value = 2;
}
message RpcStatus {
  int32 code = 1;
  string message = 2;
  repeated RpcAny details = 3;
}
message BadRequest {
  message FieldViolation {
    string field = 1;
    string description = 2;
  }
  repeated FieldViolation field_violations = 1;
}
`;
// LogRecord.severity_number is the SeverityNumber enum on the wire (a varint, as int32 is).
// RpcAny/RpcStatus are google.protobuf.Any and google.rpc.Status. Enums come out as numbers; in
// JSON their names are accepted too, although OTLP/JSON allows only numbers.

const root = protobuf.parse(PROTO).root;
const type = (name: string) => root.lookupType(`opentelemetry.proto.${name}`);
const ExportRequest = type("ExportTraceServiceRequest");
const ExportResponse = type("ExportTraceServiceResponse");
const ExportLogsRequest = type("ExportLogsServiceRequest");
const ExportLogsResponse = type("ExportLogsServiceResponse");
const RpcStatus = type("RpcStatus");
const BadRequest = type("BadRequest");

export const OTLP_CONTENT_TYPES = { protobuf: "application/x-protobuf", json: "application/json" } as const;
export type OtlpEncoding = keyof typeof OTLP_CONTENT_TYPES;

/** The decoded request, as plain objects. int64/fixed64 are decimal strings, bytes are Uint8Array. */
export type OtlpAnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: Uint8Array;
};
export type OtlpKeyValue = { key?: string; value?: OtlpAnyValue };
export type OtlpEvent = { timeUnixNano?: string; name?: string; attributes?: OtlpKeyValue[] };
export type OtlpLink = { traceId?: Uint8Array; spanId?: Uint8Array; traceState?: string; attributes?: OtlpKeyValue[] };
export type OtlpSpan = {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  traceState?: string;
  parentSpanId?: Uint8Array;
  flags?: number;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: OtlpEvent[];
  droppedEventsCount?: number;
  links?: OtlpLink[];
  droppedLinksCount?: number;
  status?: { message?: string; code?: number };
  /**
   * Not part of OTLP: set by the OTLP/JSON decoder when a time field could not be read exactly
   * (protobufjs would wrap "-1" or 1e30 into another time), "<field>: <why>"; the span is rejected.
   */
  unreadable?: string;
};
export type OtlpScope = { name?: string; version?: string; attributes?: OtlpKeyValue[] };
export type OtlpResourceSpans = {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: { scope?: OtlpScope; spans?: OtlpSpan[]; schemaUrl?: string }[];
  schemaUrl?: string;
};
export type OtlpTraceRequest = { resourceSpans?: OtlpResourceSpans[] };

export const SPAN_KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const;
export const STATUS_CODE_ERROR = 2;
/** Span.flags bits: whether the parent's remoteness is known, and whether it is remote. */
export const SPAN_FLAGS_HAS_IS_REMOTE = 0x100;
export const SPAN_FLAGS_IS_REMOTE = 0x200;

const TO_OBJECT = { longs: String, enums: Number, bytes: Uint8Array, oneofs: false } as const;

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
      return ExportRequest.toObject(ExportRequest.decode(body), TO_OBJECT) as OtlpTraceRequest;
    const json = parseJsonObject(Buffer.from(body).toString("utf8"));
    const unreadable = unreadableFields(json);
    hexIdsToBytes(json);
    const req = ExportRequest.toObject(ExportRequest.fromObject(json), TO_OBJECT) as OtlpTraceRequest;
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

/** ExportTraceServiceResponse; `partial_success` only when some spans were rejected. */
export function encodeTraceResponse(
  encoding: OtlpEncoding,
  partial?: { rejectedSpans: number; errorMessage: string },
): Uint8Array | string {
  const body = partial ? { partialSuccess: partial } : {};
  if (encoding === "json") {
    // proto3 JSON mapping: int64 as a decimal string.
    return JSON.stringify(
      partial
        ? { partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage } }
        : {},
    );
  }
  return ExportResponse.encode(ExportResponse.fromObject(body)).finish();
}

/** gRPC status codes used in google.rpc.Status bodies (the specification lets clients ignore them). */
export const RPC_CODES = {
  invalidArgument: 3,
  unauthenticated: 16,
  resourceExhausted: 8,
  unimplemented: 12,
  unavailable: 14,
} as const;

/** A google.rpc.Status body, with a google.rpc.BadRequest detail when field violations are given. */
export function encodeStatus(
  encoding: OtlpEncoding,
  code: number,
  message: string,
  violations: { field: string; description: string }[] = [],
): Uint8Array | string {
  const typeUrl = "type.googleapis.com/google.rpc.BadRequest";
  if (encoding === "json") {
    const details = violations.length ? [{ "@type": typeUrl, fieldViolations: violations }] : undefined;
    return JSON.stringify(details ? { code, message, details } : { code, message });
  }
  const details = violations.length
    ? [{ typeUrl, value: BadRequest.encode(BadRequest.fromObject({ fieldViolations: violations })).finish() }]
    : [];
  return RpcStatus.encode(RpcStatus.fromObject({ code, message, details })).finish();
}

/** For tests and clients of this module: decodes what encodeTraceResponse/encodeStatus produced. */
export function decodeTraceResponse(body: Uint8Array): {
  partialSuccess?: { rejectedSpans: string; errorMessage: string };
} {
  return ExportResponse.toObject(ExportResponse.decode(body), TO_OBJECT) as never;
}
export function decodeStatus(body: Uint8Array): { code?: number; message?: string; details?: { typeUrl: string }[] } {
  return RpcStatus.toObject(RpcStatus.decode(body), TO_OBJECT) as never;
}
/** Encodes a request (tests build protobuf bodies with it). */
export function encodeTraceRequest(req: Record<string, unknown>): Uint8Array {
  return ExportRequest.encode(ExportRequest.fromObject(hexIdsToBytes(structuredClone(req)))).finish();
}

// ---------------------------------------------------------------------------------------------
// Logs (collector/logs/v1)

export type OtlpLogRecord = {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  eventName?: string;
  /** Not part of OTLP: set by the OTLP/JSON decoder, as OtlpSpan.unreadable; the record is rejected. */
  unreadable?: string;
};
export type OtlpResourceLogs = {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeLogs?: { scope?: OtlpScope; logRecords?: OtlpLogRecord[]; schemaUrl?: string }[];
  schemaUrl?: string;
};
export type OtlpLogsRequest = { resourceLogs?: OtlpResourceLogs[] };

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
      return ExportLogsRequest.toObject(ExportLogsRequest.decode(body), TO_OBJECT) as OtlpLogsRequest;
    const json = parseJsonObject(Buffer.from(body).toString("utf8"));
    const unreadable = prepareJsonLogRecords(json);
    const req = ExportLogsRequest.toObject(ExportLogsRequest.fromObject(json), TO_OBJECT) as OtlpLogsRequest;
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

/** ExportLogsServiceResponse; `partial_success` only when some log records were rejected. */
export function encodeLogsResponse(
  encoding: OtlpEncoding,
  partial?: { rejected: number; errorMessage: string },
): Uint8Array | string {
  if (encoding === "json")
    return JSON.stringify(
      partial
        ? { partialSuccess: { rejectedLogRecords: String(partial.rejected), errorMessage: partial.errorMessage } }
        : {},
    );
  const body = partial
    ? { partialSuccess: { rejectedLogRecords: partial.rejected, errorMessage: partial.errorMessage } }
    : {};
  return ExportLogsResponse.encode(ExportLogsResponse.fromObject(body)).finish();
}

/** For tests: decodes what encodeLogsResponse produced in protobuf. */
export function decodeLogsResponse(body: Uint8Array): {
  partialSuccess?: { rejectedLogRecords: string; errorMessage: string };
} {
  return ExportLogsResponse.toObject(ExportLogsResponse.decode(body), TO_OBJECT) as never;
}

/** Encodes a logs request given in OTLP/JSON form (hex ids); tests build protobuf bodies with it. */
export function encodeLogsRequest(req: Record<string, unknown>): Uint8Array {
  const copy = structuredClone(req);
  prepareJsonLogRecords(copy);
  return ExportLogsRequest.encode(ExportLogsRequest.fromObject(copy)).finish();
}
