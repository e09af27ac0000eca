import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";
import { ingestionStatus } from "@/lib/ingest/failures";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const me = await requireMember(req);
  return json(await ingestionStatus(me.workspaceId));
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
