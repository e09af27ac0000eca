import "server-only";
import { randomUUID } from "node:crypto";
import { createApiKey } from "../auth/api-keys.ts";
import type { Role } from "../auth/roles.ts";
import { hashSecret, randomToken } from "../auth/tokens.ts";
import type { RunlensConfig } from "../config.ts";
import type { Invitation, Member, WorkspaceSummary } from "../contracts/workspaces.ts";
import { daysFrom, PARTITIONED_TABLES, partitionsAheadDays } from "../data/partitions.ts";
import type { Prisma } from "../db/generated/client.ts";
import type { Db } from "../db/index.ts";
import { ApiError, ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import { forgetWorkspaceSettings } from "../ingest/workspace-settings.ts";
import { createUserWithPassword } from "./users.ts";

type Tx = Prisma.TransactionClient;
const SETUP_LOCK = 72707370;
const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return base || "workspace";
}

async function uniqueSlug(tx: Tx, name: string): Promise<string> {
  const base = slugify(name);
  for (let i = 0; ; i++) {
    const slug = i === 0 ? base : `${base}-${i + 1}`;
    if (!(await tx.workspace.findUnique({ where: { slug }, select: { id: true } }))) return slug;
  }
}

export async function createWorkspaceTx(tx: Tx, name: string, ownerUserId: string | null) {
  const ws = await tx.workspace.create({ data: { name, slug: await uniqueSlug(tx, name) } });
  // Its time partitions from today on (lib/data/partitions.ts), as data maintenance makes them ahead:
  // its first spans and events go to their day's partition, not to a default one until the next pass.
  await tx.$queryRawUnsafe(
    "SELECT runlens_ensure_partition(t, $1, d::date) FROM unnest($2::text[]) t CROSS JOIN unnest($3::text[]) d",
    ws.id,
    PARTITIONED_TABLES,
    daysFrom(new Date(), partitionsAheadDays() + 1),
  );
  if (ownerUserId) await tx.member.create({ data: { workspaceId: ws.id, userId: ownerUserId, role: "owner" } });
  return ws;
}

export async function createWorkspace(db: Db, name: string, ownerUserId: string | null) {
  return db.prisma.$transaction((tx) => createWorkspaceTx(tx, name, ownerUserId));
}

/** First-run setup: creates the owner and the first workspace, only while no user exists. */
export async function setupFirstOwner(
  db: Db,
  input: { name: string; email: string; password: string; workspaceName: string },
): Promise<{ userId: string; workspaceId: string }> {
  return db.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`);
    if ((await tx.user.count()) > 0) {
      throw new ApiError(409, "already_set_up", "Runlens is already set up. Sign in instead.");
    }
    const user = await createUserWithPassword(tx, input);
    const ws = await createWorkspaceTx(tx, input.workspaceName, user.id);
    return { userId: user.id, workspaceId: ws.id };
  });
}

/**
 * RUNLENS_INIT_* bootstrap: on a database without users, creates the owner, a workspace and
 * (optionally) an API key with exactly the given secret. Does nothing once any user exists.
 */
export async function bootstrapFromEnv(
  db: Db,
  init: NonNullable<RunlensConfig["init"]>,
): Promise<"created" | "skipped"> {
  return db.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`);
    if ((await tx.user.count()) > 0) return "skipped";
    const user = await createUserWithPassword(tx, { email: init.email, name: init.name, password: init.password });
    const ws = await createWorkspaceTx(tx, init.workspace, user.id);
    if (init.apiKey) {
      await createApiKey(tx, { workspaceId: ws.id, label: "init", secret: init.apiKey, createdById: user.id });
    }
    return "created";
  });
}

export async function listWorkspacesOf(db: Db, userId: string): Promise<WorkspaceSummary[]> {
  const rows = await db.prisma.member.findMany({
    where: { userId },
    include: { workspace: true },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((m) => ({ id: m.workspace.id, name: m.workspace.name, slug: m.workspace.slug, role: m.role }));
}

// ------------------------------------------------------------------------------------------------
// Members and invitations
// ------------------------------------------------------------------------------------------------

/** The member of `preferredWorkspaceId` (the active-workspace cookie) when the user is one, else their first membership. */
export async function resolveMembership(db: Db, userId: string, preferredWorkspaceId: string | null) {
  if (preferredWorkspaceId) {
    const m = await db.prisma.member.findUnique({
      where: { workspaceId_userId: { workspaceId: preferredWorkspaceId, userId } },
    });
    if (m) return m;
  }
  return db.prisma.member.findFirst({ where: { userId }, orderBy: { createdAt: "asc" } });
}

export async function listMembers(db: Db, workspaceId: string): Promise<Member[]> {
  const rows = await db.prisma.member.findMany({
    where: { workspaceId },
    include: { user: true },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((m) => ({
    userId: m.userId,
    name: m.user.name,
    email: m.user.email,
    role: m.role,
    createdAt: m.createdAt.toISOString(),
  }));
}

async function ownerCount(tx: Tx, workspaceId: string) {
  return tx.member.count({ where: { workspaceId, role: "owner" } });
}

/** Changes a member's role. Only owners grant or take away the owner role; the last owner stays. */
export async function updateMemberRole(
  db: Db,
  actor: { userId: string; role: Role },
  workspaceId: string,
  userId: string,
  role: Role,
) {
  await db.prisma.$transaction(async (tx) => {
    const member = await tx.member.findUnique({ where: { workspaceId_userId: { workspaceId, userId } } });
    if (!member) throw new NotFoundError("member_not_found", "No such member in this workspace.");
    if ((member.role === "owner" || role === "owner") && actor.role !== "owner") {
      throw new ForbiddenError("Only an owner can grant or remove the owner role.");
    }
    if (member.role === "owner" && role !== "owner" && (await ownerCount(tx, workspaceId)) <= 1) {
      throw new ConflictError("last_owner", "A workspace needs at least one owner.");
    }
    await tx.member.update({ where: { workspaceId_userId: { workspaceId, userId } }, data: { role } });
  });
}

export async function removeMember(db: Db, actor: { userId: string; role: Role }, workspaceId: string, userId: string) {
  await db.prisma.$transaction(async (tx) => {
    const member = await tx.member.findUnique({ where: { workspaceId_userId: { workspaceId, userId } } });
    if (!member) throw new NotFoundError("member_not_found", "No such member in this workspace.");
    if (member.role === "owner" && actor.role !== "owner")
      throw new ForbiddenError("Only an owner can remove an owner.");
    if (member.role === "owner" && (await ownerCount(tx, workspaceId)) <= 1) {
      throw new ConflictError("last_owner", "A workspace needs at least one owner.");
    }
    await tx.member.delete({ where: { workspaceId_userId: { workspaceId, userId } } });
  });
}

function toInvitation(row: { id: string; email: string; role: Role; expiresAt: Date; createdAt: Date }): Invitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

/** Creates a one-time invitation; the token is returned once (the admin shares the link). */
export async function createInvitation(
  db: Db,
  actor: { userId: string; role: Role },
  workspaceId: string,
  input: { email: string; role: Role },
): Promise<{ invitation: Invitation; token: string }> {
  if (input.role === "owner" && actor.role !== "owner") throw new ForbiddenError("Only an owner can invite an owner.");
  const existing = await db.prisma.member.findFirst({ where: { workspaceId, user: { email: input.email } } });
  if (existing) throw new ConflictError("already_member", `${input.email} is already a member of this workspace.`);
  const token = randomToken(40);
  const row = await db.prisma.invitation.create({
    data: {
      id: randomUUID(),
      workspaceId,
      email: input.email,
      role: input.role,
      tokenHash: hashSecret(token),
      invitedById: actor.userId,
      expiresAt: new Date(Date.now() + INVITE_TTL_MS),
    },
  });
  return { invitation: toInvitation(row), token };
}

export async function listInvitations(db: Db, workspaceId: string): Promise<Invitation[]> {
  const rows = await db.prisma.invitation.findMany({
    where: { workspaceId, acceptedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
  });
  return rows.map(toInvitation);
}

export async function revokeInvitation(db: Db, workspaceId: string, id: string) {
  const { count } = await db.prisma.invitation.deleteMany({ where: { id, workspaceId, acceptedAt: null } });
  if (count === 0) throw new NotFoundError("invitation_not_found", "No open invitation with this id.");
}

/** What the invitation page shows before accepting; null when unknown, used or expired. */
export async function describeInvitation(db: Db, token: string) {
  const row = await db.prisma.invitation.findUnique({
    where: { tokenHash: hashSecret(token) },
    include: { workspace: true },
  });
  if (!row || row.acceptedAt || row.expiresAt < new Date()) return null;
  const user = await db.prisma.user.findUnique({ where: { email: row.email }, select: { id: true } });
  return { email: row.email, role: row.role, workspaceName: row.workspace.name, hasAccount: !!user };
}

/**
 * Accepts an invitation. A new person sets a name and password; an existing account must be the
 * signed-in user with the invited email. The token works once.
 */
export async function acceptInvitation(
  db: Db,
  input: { token: string; name?: string; password?: string; signedInUserId?: string | null },
): Promise<{ workspaceId: string; userId: string; email: string; created: boolean }> {
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.invitation.findUnique({ where: { tokenHash: hashSecret(input.token) } });
    if (!row || row.acceptedAt || row.expiresAt < new Date()) {
      throw new NotFoundError("invitation_not_found", "This invitation link is invalid, used or expired.");
    }
    // Claim the token first: a concurrent second use finds it accepted.
    const claimed = await tx.invitation.updateMany({
      where: { id: row.id, acceptedAt: null },
      data: { acceptedAt: new Date() },
    });
    if (claimed.count === 0) throw new NotFoundError("invitation_not_found", "This invitation link was already used.");

    const existing = await tx.user.findUnique({ where: { email: row.email } });
    let userId: string;
    let created = false;
    if (existing) {
      if (input.signedInUserId !== existing.id) {
        throw new ApiError(401, "sign_in_required", `Sign in as ${row.email} to accept this invitation.`);
      }
      userId = existing.id;
    } else {
      if (!input.name || !input.password) {
        throw new ApiError(400, "validation_error", "Choose a name and a password to create your account.", [
          ...(input.name ? [] : [{ path: "name", message: "Required." }]),
          ...(input.password ? [] : [{ path: "password", message: "Required." }]),
        ]);
      }
      userId = (await createUserWithPassword(tx, { email: row.email, name: input.name, password: input.password })).id;
      created = true;
    }
    await tx.member.upsert({
      where: { workspaceId_userId: { workspaceId: row.workspaceId, userId } },
      create: { workspaceId: row.workspaceId, userId, role: row.role },
      update: {},
    });
    return { workspaceId: row.workspaceId, userId, email: row.email, created };
  });
}

/** The workspace a user switches to must be one of theirs: another is "not found". */
export async function assertMemberOf(db: Db, userId: string, workspaceId: string): Promise<void> {
  const member = await db.prisma.member.findUnique({ where: { workspaceId_userId: { workspaceId, userId } } });
  if (!member) throw new NotFoundError("workspace_not_found", "No such workspace.");
}

export async function getRedactionKeys(db: Db, workspaceId: string): Promise<string[]> {
  const ws = await db.prisma.workspace.findUniqueOrThrow({
    where: { id: workspaceId },
    select: { redactionKeys: true },
  });
  return ws.redactionKeys;
}

export async function setRedactionKeys(db: Db, workspaceId: string, keys: string[]) {
  const unique = [...new Set(keys.map((k) => k.trim().toLowerCase()).filter(Boolean))];
  await db.prisma.workspace.update({ where: { id: workspaceId }, data: { redactionKeys: unique } });
  forgetWorkspaceSettings(workspaceId);
  return unique;
}
