import type { Db, DbClient } from "../db/index.ts";
import { NotFoundError } from "../http/errors.ts";
import { hashSecret, keyPrefix, newApiKeySecret } from "./tokens.ts";

export type ApiKeyPrincipal = { kind: "apiKey"; workspaceId: string; keyId: string; label: string };

export type ApiKeySummary = {
  id: string;
  label: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

const LAST_USED_RESOLUTION_MS = 60_000;

/** Creates a key; the secret is returned once and only its hash is stored. */
export async function createApiKey(
  prisma: DbClient,
  input: { workspaceId: string; label: string; createdById?: string | null; secret?: string },
): Promise<{ key: ApiKeySummary; secret: string }> {
  const secret = input.secret ?? newApiKeySecret();
  const row = await prisma.apiKey.create({
    data: {
      workspaceId: input.workspaceId,
      label: input.label,
      prefix: keyPrefix(secret),
      secretHash: hashSecret(secret),
      createdById: input.createdById ?? null,
    },
  });
  return { key: toSummary(row), secret };
}

export async function listApiKeys(db: Db, workspaceId: string): Promise<ApiKeySummary[]> {
  const rows = await db.prisma.apiKey.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" } });
  return rows.map(toSummary);
}

/** Revokes a key of this workspace; a key of another workspace is "not found". */
export async function revokeApiKey(db: Db, workspaceId: string, id: string): Promise<void> {
  const { count } = await db.prisma.apiKey.updateMany({
    where: { id, workspaceId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) {
    const exists = await db.prisma.apiKey.findFirst({ where: { id, workspaceId }, select: { id: true } });
    if (!exists) throw new NotFoundError("api_key_not_found", "No API key with this id in this workspace.");
  }
}

/** Resolves a presented secret to its workspace, or null when unknown or revoked. */
export async function authenticateApiKey(db: Db, secret: string): Promise<ApiKeyPrincipal | null> {
  if (!secret || secret.length > 512) return null;
  // Every ingest request starts here: on Postgres a plain query, a fraction of a Prisma query's CPU.
  const key = db.pool
    ? (
        await db.pool.query<{
          id: string;
          workspaceId: string;
          label: string;
          lastUsedAt: Date | null;
          revokedAt: Date | null;
        }>(
          `SELECT id, workspace_id AS "workspaceId", label, last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
             FROM api_keys WHERE secret_hash = $1`,
          [hashSecret(secret)],
        )
      ).rows[0]
    : await db.prisma.apiKey.findUnique({ where: { secretHash: hashSecret(secret) } });
  if (!key || key.revokedAt) return null;
  // lastUsedAt at minute resolution: one write a minute per key, not one per request.
  const now = Date.now();
  if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { kind: "apiKey", workspaceId: key.workspaceId, keyId: key.id, label: key.label };
}

function toSummary(row: {
  id: string;
  label: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): ApiKeySummary {
  return {
    id: row.id,
    label: row.label,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
