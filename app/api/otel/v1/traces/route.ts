import { OTLP_CONTENT_TYPES } from "@/lib/contracts/otlp";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { receiveOtlpTraces } from "@/lib/ingest/sources/otlp/receive";

export const dynamic = "force-dynamic";

/**
 * OTLP/HTTP traces: `OTEL_EXPORTER_OTLP_ENDPOINT=<portal>/api/otel` makes SDKs post here. The
 * receiver checks the API key and answers in the request's encoding, failures included.
 */
export const POST = route({
  auth: "handler",
  response: { raw: [OTLP_CONTENT_TYPES.protobuf, OTLP_CONTENT_TYPES.json] },
  handler: async ({ req }) => receiveOtlpTraces(await getDb(), req),
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
