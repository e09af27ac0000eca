import "server-only";
import { createApiKey } from "../auth/api-keys.ts";
import { randomToken } from "../auth/tokens.ts";
import type { Db } from "../db/index.ts";
import { createWorkspaceTx } from "./service.ts";
import { createUserWithPassword, resetPassword } from "./users.ts";

/** Operations of the self-hoster's admin CLI (scripts/admin.ts), kept here so tests can call them. */

export async function adminCreateWorkspace(db: Db, input: { name: string; ownerEmail?: string; apiKey?: string }) {
  return db.prisma.$transaction(async (tx) => {
    let ownerId: string | null = null;
    let ownerPassword: string | null = null;
    if (input.ownerEmail) {
      const email = input.ownerEmail.trim().toLowerCase();
      const existing = await tx.user.findUnique({ where: { email } });
      if (existing) ownerId = existing.id;
      else {
        ownerPassword = randomToken(16);
        ownerId = (await createUserWithPassword(tx, { email, name: email.split("@")[0], password: ownerPassword })).id;
      }
    }
    const ws = await createWorkspaceTx(tx, input.name, ownerId);
    const key = input.apiKey
      ? await createApiKey(tx, { workspaceId: ws.id, label: "admin-cli", secret: input.apiKey })
      : null;
    return { workspace: ws, ownerPassword, apiKeyPrefix: key?.key.prefix ?? null };
  });
}

export async function adminCreateKey(db: Db, workspaceRef: string, label: string) {
  const ws = await db.prisma.workspace.findFirst({
    where: { OR: [{ id: workspaceRef }, { slug: workspaceRef }, { name: workspaceRef }] },
    orderBy: { createdAt: "asc" },
  });
  if (!ws) return null;
  return { workspace: ws, ...(await createApiKey(db.prisma, { workspaceId: ws.id, label })) };
}

/** Sets a random one-time password (every session ends); null for an unknown email. */
export async function adminResetPassword(db: Db, email: string): Promise<string | null> {
  const password = `${randomToken(6)}-${randomToken(6)}-${randomToken(6)}`;
  return (await resetPassword(db, email, password)) ? password : null;
}
