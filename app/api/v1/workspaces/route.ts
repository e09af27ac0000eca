import { ZCreateWorkspaceRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { UnauthorizedError } from "@/lib/errors";
import { secureCookies } from "@/lib/http/edge";
import { assertSameOrigin, currentUser, WORKSPACE_COOKIE } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { workspaceCookie } from "@/lib/workspaces/cookie";
import { createWorkspace, listWorkspacesOf } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const user = await currentUser(req.headers);
  if (!user) throw new UnauthorizedError();
  return json({ workspaces: await listWorkspacesOf(await getDb(), user.id) });
});

/** Any signed-in user may create a workspace; they become its owner and it becomes active. */
export const POST = handle(async (req: Request) => {
  const user = await currentUser(req.headers);
  if (!user) throw new UnauthorizedError();
  assertSameOrigin(req);
  const { name } = await readJson(req, ZCreateWorkspaceRequest);
  const ws = await createWorkspace(await getDb(), name, user.id);
  const res = json({ workspace: { id: ws.id, name: ws.name, slug: ws.slug, role: "owner" } }, 201);
  res.headers.append("set-cookie", workspaceCookie(WORKSPACE_COOKIE, ws.id));
  return secureCookies(req, res);
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
