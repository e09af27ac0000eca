import { ZMe } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { listWorkspacesOf } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "member",
  response: ZMe,
  handler: async ({ principal }) => {
    const workspaces = await listWorkspacesOf(await getDb(), principal.user.id);
    return { user: principal.user, workspace: workspaces.find((w) => w.id === principal.workspaceId)!, workspaces };
  },
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
