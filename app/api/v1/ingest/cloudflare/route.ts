import { ZCloudflareEnvelope } from "@/lib/contracts/cloudflare";
import { INGEST_MAX_BYTES } from "@/lib/contracts/ingest";
import { getDb } from "@/lib/db";
import { requireApiKey } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, ingestResults, readJson } from "@/lib/http/respond";
import { ingestCloudflareTraces } from "@/lib/ingest/sources/cloudflare/receive";

export const dynamic = "force-dynamic";

/** Cloudflare tail Worker ingest: the body is `JSON.stringify(events)`; 207 with one result per TraceItem. */
export const POST = handle(async (req: Request) => {
  const key = await requireApiKey(req);
  const items = await readJson(req, ZCloudflareEnvelope, { maxBytes: INGEST_MAX_BYTES, unstorableText: "ingest" });
  return ingestResults(await ingestCloudflareTraces(await getDb(), key.workspaceId, items));
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
