import "server-only";
import { gunzipSync } from "node:zlib";
import { INGEST_MAX_BYTES } from "../../../contracts/ingest.ts";
import {
  encodeLogsResponse,
  encodeStatus,
  encodeTraceResponse,
  OTLP_CONTENT_TYPES,
  type OtlpEncoding,
  RPC_CODES,
} from "../../../contracts/otlp.ts";
import type { Db } from "../../../db/index.ts";
import { ApiError, unavailableError } from "../../../errors.ts";
import { requireApiKey } from "../../../http/guards.ts";
import { assertJsonDepth } from "../../../http/json-depth.ts";
import { readBodyBytes, tooLarge } from "../../../http/respond.ts";
import { logger } from "../../../log.ts";
import { batchRequestId, buildSpanBatch, dispatch } from "../../pipeline.ts";
import { decodeLogsRequest, decodeTraceRequest, OtlpDecodeError } from "./decode.ts";
import { mapLogsRequest } from "./logs.ts";
import { mapExportRequest, type OtlpMapping } from "./map.ts";

/** What differs between the OTLP signals this receiver takes: decoding, mapping, the answer. */
type Signal = {
  /** "span" or "log record": the unit rejections are counted in. */
  unit: string;
  map(body: Uint8Array, encoding: OtlpEncoding): OtlpMapping;
  respond(encoding: OtlpEncoding, partial?: { rejected: number; errorMessage: string }): Uint8Array | string;
};

const TRACES: Signal = {
  unit: "span",
  map: (body, encoding) => mapExportRequest(decodeTraceRequest(body, encoding)),
  respond: (encoding, partial) =>
    encodeTraceResponse(encoding, partial && { rejectedSpans: partial.rejected, errorMessage: partial.errorMessage }),
};

const LOGS: Signal = {
  unit: "log record",
  map: (body, encoding) => mapLogsRequest(decodeLogsRequest(body, encoding)),
  respond: encodeLogsResponse,
};

/**
 * OTLP/HTTP trace receiver (POST .../v1/traces), answering as the OTLP specification asks: 200
 * with an ExportTraceServiceResponse in the request's encoding (with `partial_success` when spans
 * were rejected), and on failure the HTTP status with a google.rpc.Status body. The body limit is
 * the ingest limit of API.md (5 MB), checked on the body as sent and again after gunzip.
 */
export const receiveOtlpTraces = (db: Db, req: Request) => receiveOtlp(db, req, TRACES);

/**
 * OTLP/HTTP logs receiver (POST .../v1/logs), with the traces receiver's auth, limits and answers:
 * log records become spans of their trace's execution (logs.ts).
 */
export const receiveOtlpLogs = (db: Db, req: Request) => receiveOtlp(db, req, LOGS);

async function receiveOtlp(db: Db, req: Request, signal: Signal): Promise<Response> {
  const encoding = encodingOf(req.headers.get("content-type"));
  try {
    const key = await requireApiKey(req, db);
    if (!encoding)
      throw new ApiError(415, "unsupported_media_type", "Send OTLP as application/x-protobuf or application/json.");
    const body = decompress(req.headers.get("content-encoding"), await readBodyBytes(req, INGEST_MAX_BYTES));
    if (encoding === "json") assertJsonDepth(body);
    const mapping = signal.map(body, encoding);
    if (mapping.spans.length > 0) {
      const batch = await buildSpanBatch(db, key.workspaceId, "otlp", mapping.spans, mapping.executions);
      batch.requestId = batchRequestId();
      // Written now (no Redis): spans the database refuses are rejected like invalid ones.
      for (const f of await dispatch(db, batch, { unstorable: "return" })) {
        mapping.rejected++;
        mapping.reasons.push(`${signal.unit} ${f.itemId}: the database refused it (${f.error})`);
      }
    }
    const partial =
      mapping.rejected > 0
        ? {
            rejected: mapping.rejected,
            errorMessage: `${mapping.rejected} ${signal.unit}(s) rejected: ${mapping.reasons.join("; ")}.`,
          }
        : undefined;
    return reply(200, encoding, signal.respond(encoding, partial));
  } catch (e) {
    const as = encoding ?? "json";
    if (e instanceof OtlpDecodeError)
      return reply(
        400,
        as,
        encodeStatus(as, RPC_CODES.invalidArgument, e.message, [{ field: "body", description: e.message }]),
      );
    if (e instanceof ApiError) return reply(e.status, as, encodeStatus(as, rpcCode(e.status), e.message));
    const unavailable = unavailableError(e);
    logger("otlp").error(
      unavailable ? { reason: (e as Error).message } : { err: e },
      unavailable?.message ?? "export failed",
    );
    // 503 is retryable for OTLP clients (Retry-After says when): an outage does not lose their data.
    return reply(
      503,
      as,
      encodeStatus(
        as,
        RPC_CODES.unavailable,
        unavailable?.message ?? `The server could not store the ${signal.unit}s; retry later.`,
      ),
      { "retry-after": String(unavailable?.retryAfterSeconds ?? 5) },
    );
  }
}

/** The OTLP encoding of a Content-Type header (parameters such as charset ignored), or null. */
export function encodingOf(contentType: string | null): OtlpEncoding | null {
  const media = contentType?.split(";")[0].trim().toLowerCase();
  if (media === OTLP_CONTENT_TYPES.protobuf) return "protobuf";
  if (media === OTLP_CONTENT_TYPES.json) return "json";
  return null;
}

function decompress(contentEncoding: string | null, body: Uint8Array): Uint8Array {
  const coding = contentEncoding?.trim().toLowerCase() || "identity";
  if (coding === "identity") return body;
  if (coding !== "gzip")
    throw new ApiError(415, "unsupported_content_encoding", "Content-Encoding must be gzip or absent.");
  try {
    return gunzipSync(body, { maxOutputLength: INGEST_MAX_BYTES });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(INGEST_MAX_BYTES);
    throw new OtlpDecodeError(`The body is not valid gzip: ${(e as Error).message}`);
  }
}

function rpcCode(status: number): number {
  if (status === 401) return RPC_CODES.unauthenticated;
  if (status === 413) return RPC_CODES.resourceExhausted;
  if (status === 415) return RPC_CODES.unimplemented;
  return RPC_CODES.invalidArgument;
}

function reply(
  status: number,
  encoding: OtlpEncoding,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
): Response {
  return new Response(body as BodyInit, {
    status,
    headers: { ...headers, "content-type": OTLP_CONTENT_TYPES[encoding] },
  });
}
