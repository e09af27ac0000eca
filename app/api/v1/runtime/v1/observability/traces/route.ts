import { INGEST_MAX_BYTES, INGEST_RESPONSE_HEADERS, ZIngestResponse, ZTracesEnvelope } from "@/lib/contracts/ingest";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { ingestTraces } from "@/lib/ingest/pipeline";

export const dynamic = "force-dynamic";

/** SDK ingest: 207 with one result per trace, in request order. */
export const POST = route({
  auth: "key",
  body: ZTracesEnvelope,
  limits: { maxBytes: INGEST_MAX_BYTES, unstorableText: "ingest" },
  status: 207,
  headers: INGEST_RESPONSE_HEADERS,
  response: ZIngestResponse,
  handler: ({ principal, body }) => ingestTraces(principal.workspaceId, body.traces),
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
