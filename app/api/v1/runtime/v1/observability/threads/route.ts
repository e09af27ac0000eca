import { ZThreadListQuery } from "@/lib/contracts/conversations";
import { listThreads } from "@/lib/conversations/threads";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readQuery } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const principal = await requireReader(req);
  const query = readQuery(req, ZThreadListQuery);
  return json(await listThreads(await getDb(), principal.workspaceId, query));
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
