import { INGEST_MAX_BYTES, INGEST_RESPONSE_HEADERS, ZIngestResponse, ZTracesEnvelope } from "@/lib/contracts/ingest";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { ingestTraces } from "@/lib/ingest/sources/sdk/receive";

export const dynamic = "force-dynamic";

/** SDK ingest: 207 with one result per trace, in request order. */
export const POST = route({
  auth: "key",
  body: ZTracesEnvelope,
  limits: { maxBytes: INGEST_MAX_BYTES, unstorableText: "ingest" },
  status: 207,
  headers: INGEST_RESPONSE_HEADERS,
  response: ZIngestResponse,
  handler: async ({ principal, body }) => ingestTraces(await getDb(), principal.workspaceId, body.traces),
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
