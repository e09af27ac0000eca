import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";
import { getCatalog } from "@/lib/metrics/catalog";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const principal = await requireReader(req);
  const agent = new URL(req.url).searchParams.get("agent");
  return json({ events: await getCatalog(await getDb(), principal.workspaceId, agent) });
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
