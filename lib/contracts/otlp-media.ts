/** The encodings an OTLP/HTTP request and its answer may have (protobuf or JSON), by content type. */
export const OTLP_CONTENT_TYPES = { protobuf: "application/x-protobuf", json: "application/json" } as const;
export type OtlpEncoding = keyof typeof OTLP_CONTENT_TYPES;
