import { ZThreadListQuery } from "@/lib/contracts/conversations";
import { listThreads } from "@/lib/conversations/threads";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { handle, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const principal = await requireReader(req);
  const query = ZThreadListQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  return json(await listThreads(await getDb(), principal.workspaceId, query));
});
