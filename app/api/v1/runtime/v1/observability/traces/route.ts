import { INGEST_MAX_BYTES, ZTracesEnvelope } from "@/lib/contracts/ingest";
import { requireApiKey } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, ingestResults, readJson } from "@/lib/http/respond";
import { ingestTraces } from "@/lib/ingest/pipeline";

export const dynamic = "force-dynamic";

/** SDK ingest: 207 with one result per trace, in request order. */
export const POST = handle(async (req: Request) => {
  const key = await requireApiKey(req);
  const { traces } = await readJson(req, ZTracesEnvelope, { maxBytes: INGEST_MAX_BYTES, unstorableText: "ingest" });
  return ingestResults(await ingestTraces(key.workspaceId, traces));
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
