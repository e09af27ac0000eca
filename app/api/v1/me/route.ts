import { getDb } from "@/lib/db";
import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";
import { listWorkspacesOf } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const me = await requireMember(req);
  const workspaces = await listWorkspacesOf(await getDb(), me.user.id);
  return json({ user: me.user, workspace: workspaces.find((w) => w.id === me.workspaceId), workspaces });
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
