import { getAuth } from "@/lib/auth/better-auth";
import { ZAcceptInviteRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { secureCookies } from "@/lib/http/edge";
import { assertSameOrigin, currentUser, WORKSPACE_COOKIE } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { workspaceCookie } from "@/lib/workspaces/cookie";
import { acceptInvitation } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

/** Accepts an invitation: creates the account when needed, signs it in and opens the workspace. */
export const POST = handle(async (req: Request) => {
  assertSameOrigin(req);
  const input = await readJson(req, ZAcceptInviteRequest);
  const signedIn = await currentUser(req.headers);
  const result = await acceptInvitation(await getDb(), { ...input, signedInUserId: signedIn?.id ?? null });
  const res = json({ workspaceId: result.workspaceId }, 200);
  if (result.created && input.password) {
    const auth = await getAuth();
    const signIn = await auth.api.signInEmail({
      body: { email: result.email, password: input.password },
      headers: req.headers,
      asResponse: true,
    });
    for (const c of signIn.headers.getSetCookie()) res.headers.append("set-cookie", c);
  }
  res.headers.append("set-cookie", workspaceCookie(WORKSPACE_COOKIE, result.workspaceId));
  return secureCookies(req, res);
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
