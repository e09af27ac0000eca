import protobuf from "protobufjs";
import type { OtlpEncoding } from "./otlp-media.ts";

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
const ExportResponse = type("ExportTraceServiceResponse");
const ExportLogsResponse = type("ExportLogsServiceResponse");
const RpcStatus = type("RpcStatus");
const BadRequest = type("BadRequest");

/** The request messages, for the receiver's decoder (lib/ingest/sources/otlp/decode.ts). */
export const OTLP_REQUESTS = { traces: type("ExportTraceServiceRequest"), logs: type("ExportLogsServiceRequest") };

// Declared without protobufjs, so the API client (lib/contracts/client.ts) names them without loading it.
export { OTLP_CONTENT_TYPES, type OtlpEncoding } from "./otlp-media.ts";

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

/** How a decoded message becomes plain objects: int64 as decimal strings, enums as numbers, bytes as Uint8Array. */
export const OTLP_TO_OBJECT = { longs: String, enums: Number, bytes: Uint8Array, oneofs: false } as const;

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
  return ExportResponse.toObject(ExportResponse.decode(body), OTLP_TO_OBJECT) as never;
}
export function decodeStatus(body: Uint8Array): { code?: number; message?: string; details?: { typeUrl: string }[] } {
  return RpcStatus.toObject(RpcStatus.decode(body), OTLP_TO_OBJECT) as never;
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
  return ExportLogsResponse.toObject(ExportLogsResponse.decode(body), OTLP_TO_OBJECT) as never;
}
