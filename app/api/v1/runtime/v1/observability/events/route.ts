import { INGEST_MAX_BYTES, INGEST_RESPONSE_HEADERS, ZEventsEnvelope, ZIngestResponse } from "@/lib/contracts/ingest";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { ingestEvents } from "@/lib/ingest/sources/sdk/receive";

export const dynamic = "force-dynamic";

/** track() ingest: 207 with one result per event, in request order. */
export const POST = route({
  auth: "key",
  body: ZEventsEnvelope,
  limits: { maxBytes: INGEST_MAX_BYTES, unstorableText: "ingest" },
  status: 207,
  headers: INGEST_RESPONSE_HEADERS,
  response: ZIngestResponse,
  handler: async ({ principal, body }) => ingestEvents(await getDb(), principal.workspaceId, body.events),
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
