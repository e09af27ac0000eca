import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";
import { reviewStats } from "@/lib/reviews/service";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const p = await requireReader(req);
  const agentId = new URL(req.url).searchParams.get("agentId") ?? undefined;
  return json(await reviewStats(await getDb(), p.workspaceId, agentId));
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
