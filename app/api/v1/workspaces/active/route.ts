import { ZActiveWorkspace, ZSwitchWorkspaceRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { WORKSPACE_COOKIE } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { reply, route } from "@/lib/http/route";
import { workspaceCookie } from "@/lib/workspaces/cookie";
import { assertMemberOf } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

/** Switches the active workspace; a workspace the user is not a member of is 404. */
export const PUT = route({
  auth: "user",
  body: ZSwitchWorkspaceRequest,
  response: ZActiveWorkspace,
  handler: async ({ principal, body: { workspaceId } }) => {
    await assertMemberOf(await getDb(), principal.id, workspaceId);
    return reply({ workspaceId }, { cookies: [workspaceCookie(WORKSPACE_COOKIE, workspaceId)] });
  },
});

export const { OPTIONS, GET, HEAD, POST, PATCH, DELETE } = otherMethods({ PUT });
