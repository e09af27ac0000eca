import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { can, type Permission } from "@/lib/auth/roles";
import { getDb } from "@/lib/db";
import { currentUser, WORKSPACE_COOKIE } from "@/lib/http/guards";
import { listWorkspacesOf, resolveMembership } from "@/lib/workspaces/service";
import { countUsers } from "@/lib/workspaces/users";

/** Where a visitor belongs: first-run setup, sign-in, or the portal. */
export async function portalState(): Promise<"setup" | "login" | "portal"> {
  if ((await countUsers(await getDb())) === 0) return "setup";
  return (await currentUser(await headers())) ? "portal" : "login";
}

/** The signed-in member and active workspace for a portal page; redirects when there is none. */
export async function requirePortalContext() {
  const db = await getDb();
  const user = await currentUser(await headers());
  if (!user) redirect((await countUsers(db)) === 0 ? "/setup" : "/login");
  const preferred = (await cookies()).get(WORKSPACE_COOKIE)?.value ?? null;
  const member = await resolveMembership(db, user.id, preferred);
  const workspaces = await listWorkspacesOf(db, user.id);
  const workspace = member ? (workspaces.find((w) => w.id === member.workspaceId) ?? null) : null;
  return { user, workspace, workspaces, can: (p: Permission) => !!workspace && can(workspace.role, p) };
}

export type PortalContext = Awaited<ReturnType<typeof requirePortalContext>>;
