import { INGEST_MAX_BYTES, ZEventsEnvelope } from "@/lib/contracts/ingest";
import { requireApiKey } from "@/lib/http/guards";
import { handle, ingestResults, readJson } from "@/lib/http/respond";
import { ingestEvents } from "@/lib/ingest/pipeline";

export const dynamic = "force-dynamic";

/** track() ingest: 207 with one result per event, in request order. */
export const POST = handle(async (req: Request) => {
  const key = await requireApiKey(req);
  const { events } = await readJson(req, ZEventsEnvelope, INGEST_MAX_BYTES);
  return ingestResults(await ingestEvents(key.workspaceId, events));
});
