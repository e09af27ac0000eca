import { INGEST_MAX_BYTES, ZEventsEnvelope } from "@/lib/contracts/ingest";
import { requireApiKey } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, ingestResults, readJson } from "@/lib/http/respond";
import { ingestEvents } from "@/lib/ingest/pipeline";

export const dynamic = "force-dynamic";

/** track() ingest: 207 with one result per event, in request order. */
export const POST = handle(async (req: Request) => {
  const key = await requireApiKey(req);
  const { events } = await readJson(req, ZEventsEnvelope, { maxBytes: INGEST_MAX_BYTES, unstorableText: "ingest" });
  return ingestResults(await ingestEvents(key.workspaceId, events));
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
