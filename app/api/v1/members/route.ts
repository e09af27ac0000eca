import { getDb } from "@/lib/db";
import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";
import { listMembers } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const me = await requireMember(req);
  return json({ members: await listMembers(await getDb(), me.workspaceId), me: { userId: me.user.id, role: me.role } });
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
