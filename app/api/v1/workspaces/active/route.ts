import { ZSwitchWorkspaceRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { NotFoundError, UnauthorizedError } from "@/lib/errors";
import { secureCookies } from "@/lib/http/edge";
import { assertSameOrigin, currentUser, WORKSPACE_COOKIE } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { workspaceCookie } from "@/lib/workspaces/cookie";

export const dynamic = "force-dynamic";

/** Switches the active workspace; a workspace the user is not a member of is 404. */
export const PUT = handle(async (req: Request) => {
  const user = await currentUser(req.headers);
  if (!user) throw new UnauthorizedError();
  assertSameOrigin(req);
  const { workspaceId } = await readJson(req, ZSwitchWorkspaceRequest);
  const db = await getDb();
  const member = await db.prisma.member.findUnique({ where: { workspaceId_userId: { workspaceId, userId: user.id } } });
  if (!member) throw new NotFoundError("workspace_not_found", "No such workspace.");
  const res = json({ workspaceId });
  res.headers.append("set-cookie", workspaceCookie(WORKSPACE_COOKIE, workspaceId));
  return secureCookies(req, res);
});

export const { OPTIONS, GET, HEAD, POST, PATCH, DELETE } = otherMethods({ PUT });
