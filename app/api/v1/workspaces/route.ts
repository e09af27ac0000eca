import { ZCreateWorkspaceRequest, ZWorkspaceCreated, ZWorkspaceList } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { WORKSPACE_COOKIE } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { reply, route } from "@/lib/http/route";
import { workspaceCookie } from "@/lib/workspaces/cookie";
import { createWorkspace, listWorkspacesOf } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "user",
  response: ZWorkspaceList,
  handler: async ({ principal }) => ({ workspaces: await listWorkspacesOf(await getDb(), principal.id) }),
});

/** Any signed-in user may create a workspace; they become its owner and it becomes active. */
export const POST = route({
  auth: "user",
  body: ZCreateWorkspaceRequest,
  status: 201,
  response: ZWorkspaceCreated,
  handler: async ({ principal, body }) => {
    const ws = await createWorkspace(await getDb(), body.name, principal.id);
    return reply(
      { workspace: { id: ws.id, name: ws.name, slug: ws.slug, role: "owner" as const } },
      { cookies: [workspaceCookie(WORKSPACE_COOKIE, ws.id)] },
    );
  },
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
