import { signInCookies } from "@/lib/auth/better-auth";
import { ZAcceptInviteRequest, ZActiveWorkspace } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { currentUser, WORKSPACE_COOKIE } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { reply, route } from "@/lib/http/route";
import { workspaceCookie } from "@/lib/workspaces/cookie";
import { acceptInvitation } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

/** Accepts an invitation: creates the account when needed, signs it in and opens the workspace. */
export const POST = route({
  auth: "public",
  body: ZAcceptInviteRequest,
  response: ZActiveWorkspace,
  handler: async ({ req, body }) => {
    const signedIn = await currentUser(req.headers);
    const result = await acceptInvitation(await getDb(), { ...body, signedInUserId: signedIn?.id ?? null });
    const session = result.created && body.password ? await signInCookies(req, result.email, body.password) : [];
    return reply(
      { workspaceId: result.workspaceId },
      { cookies: [...session, workspaceCookie(WORKSPACE_COOKIE, result.workspaceId)] },
    );
  },
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
