import { runDemo } from "@/lib/demo/generate";
import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";
import { ingestEvents, ingestTraces } from "@/lib/ingest/pipeline";

export const dynamic = "force-dynamic";

/**
 * "Load sample data": the demo generator runs here with the SDK, whose requests go straight to
 * this workspace's ingest pipeline instead of over the network.
 */
export const POST = handle(async (req: Request) => {
  const me = await requireMember(req, "ingest.operate");
  const localFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? "{}"));
    const result = String(url).endsWith("/traces")
      ? await ingestTraces(me.workspaceId, body.traces)
      : await ingestEvents(me.workspaceId, body.events);
    return Response.json(result, { status: 207 });
  }) as typeof fetch;
  const result = await runDemo({ apiUrl: "http://in-process", apiKey: "in-process", fetch: localFetch });
  return json(result, 201);
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
