import "server-only";
import { type ApiKeyPrincipal, authenticateApiKey } from "../auth/api-keys.ts";
import { getAuth } from "../auth/better-auth.ts";
import { can, type Permission, type Role } from "../auth/roles.ts";
import { isStorableText } from "../contracts/common.ts";
import { type Db, getDb } from "../db/index.ts";
import { ApiError, ForbiddenError, UnauthorizedError } from "../errors.ts";
import { resolveMembership } from "../workspaces/service.ts";
import { assertSameOrigin } from "./edge.ts";

/** The Origin rule and the portal's public origin live with the client-address rule they use. */
export { assertSameOrigin, publicOrigin } from "./edge.ts";

export const WORKSPACE_COOKIE = "runlens_workspace";

export type MemberPrincipal = {
  kind: "member";
  workspaceId: string;
  role: Role;
  user: { id: string; name: string; email: string };
};
export type Principal = ApiKeyPrincipal | MemberPrincipal;

export function bearerSecret(req: Request): string | null {
  const auth = req.headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    return m ? m[1].trim() : null;
  }
  return req.headers.get("x-runlens-api-key")?.trim() || null;
}

/** The one guard of every programmatic route: a valid, unrevoked API key or 401. */
export async function requireApiKey(req: Request, db?: Db): Promise<ApiKeyPrincipal> {
  const secret = bearerSecret(req);
  if (!secret) throw new UnauthorizedError("Send your API key as `Authorization: Bearer <key>`.");
  const principal = await authenticateApiKey(db ?? (await getDb()), secret);
  if (!principal) throw new UnauthorizedError("The API key is invalid or revoked.");
  return principal;
}

export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      // A forged value that does not decode, or that Postgres cannot store, names nothing.
      try {
        const value = decodeURIComponent(part.slice(i + 1).trim());
        return isStorableText(value) ? value : null;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** The signed-in user (no workspace needed), or null. */
export async function currentUser(headers: Headers) {
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers });
  return session ? { id: session.user.id, name: session.user.name, email: session.user.email } : null;
}

/**
 * Resolves the signed-in member of the active workspace (cookie `runlens_workspace`, else the
 * first membership). Credentials come first: without a session the answer is 401, whatever the
 * Origin; a session's mutations must then come from this site. `permission` is enforced here.
 */
export function requireMember(req: Request, permission: Permission = "workspace.read"): Promise<MemberPrincipal> {
  return sessionMember(req, permission, "Sign in to continue.");
}

async function sessionMember(req: Request, permission: Permission, unauthenticated: string): Promise<MemberPrincipal> {
  const user = await currentUser(req.headers);
  if (!user) throw new UnauthorizedError(unauthenticated);
  assertSameOrigin(req);
  const member = await resolveMembership(await getDb(), user.id, readCookie(req, WORKSPACE_COOKIE));
  if (!member) throw new ApiError(403, "no_workspace", "You are not a member of any workspace.");
  const principal: MemberPrincipal = { kind: "member", workspaceId: member.workspaceId, role: member.role, user };
  if (!can(principal.role, permission)) throw new ForbiddenError();
  return principal;
}

/** A signed-in user, with or without a workspace (choosing or creating one); mutations must come from this site. */
export async function requireUser(req: Request): Promise<SignedInUser> {
  const user = await currentUser(req.headers);
  if (!user) throw new UnauthorizedError();
  assertSameOrigin(req);
  return user;
}
export type SignedInUser = MemberPrincipal["user"];

/**
 * An API key, or a portal member with `permission` when the request carries a cookie and no key.
 * Without either this is an API client that forgot its key: 401 asking for one, never a CSRF 403.
 */
export function requireKeyOrMember(req: Request, permission: Permission): Promise<Principal> {
  const portal = !bearerSecret(req) && req.headers.has("cookie");
  return portal ? requireMember(req, permission) : requireApiKey(req);
}

/** Portal-or-programmatic access: an API key when one is presented, else the session; neither is 401. */
export async function requireReader(req: Request, permission: Permission = "workspace.read"): Promise<Principal> {
  if (bearerSecret(req)) return requireApiKey(req);
  return sessionMember(req, permission, "Send your API key as `Authorization: Bearer <key>`, or sign in.");
}

/** Who did it, for audit fields such as reviewedBy. */
export function actorName(p: Principal): string {
  return p.kind === "apiKey" ? p.label : p.user.name;
}
