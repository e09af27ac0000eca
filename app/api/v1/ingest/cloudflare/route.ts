import { ZCloudflareEnvelope } from "@/lib/contracts/cloudflare";
import { INGEST_MAX_BYTES, INGEST_RESPONSE_HEADERS, ZIngestResponse } from "@/lib/contracts/ingest";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { ingestCloudflareTraces } from "@/lib/ingest/sources/cloudflare/receive";

export const dynamic = "force-dynamic";

/** Cloudflare tail Worker ingest: the body is `JSON.stringify(events)`; 207 with one result per TraceItem. */
export const POST = route({
  auth: "key",
  body: ZCloudflareEnvelope,
  limits: { maxBytes: INGEST_MAX_BYTES, unstorableText: "ingest" },
  status: 207,
  headers: INGEST_RESPONSE_HEADERS,
  response: ZIngestResponse,
  handler: async ({ principal, body }) => ingestCloudflareTraces(await getDb(), principal.workspaceId, body),
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
