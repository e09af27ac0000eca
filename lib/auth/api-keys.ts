import "server-only";
import type { ApiKey } from "../contracts/workspaces.ts";
import type { Db, DbClient } from "../db/index.ts";
import { OutageCache } from "../db/outage-cache.ts";
import { NotFoundError } from "../errors.ts";
import { processGlobal } from "../process-global.ts";
import { hashSecret, keyPrefix, newApiKeySecret } from "./tokens.ts";

export type ApiKeyPrincipal = { kind: "apiKey"; workspaceId: string; keyId: string; label: string };

const LAST_USED_RESOLUTION_MS = 60_000;

type KnownKey = { id: string; workspaceId: string; label: string } | null;

/** Keys by secret hash (unknown and revoked ones as null), for ingest through a database outage. */
const keyCache = processGlobal("__runlensApiKeyCache", () => new OutageCache<string, KnownKey>(10_000));

/** Creates a key; the secret is returned once and only its hash is stored. */
export async function createApiKey(
  prisma: DbClient,
  input: { workspaceId: string; label: string; createdById?: string | null; secret?: string },
): Promise<{ key: ApiKey; secret: string }> {
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
  keyCache.forget((hash) => hash === row.secretHash); // presented before it existed: unknown no more
  return { key: toSummary(row), secret };
}

export async function listApiKeys(db: Db, workspaceId: string): Promise<ApiKey[]> {
  const rows = await db.prisma.apiKey.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" } });
  return rows.map(toSummary);
}

/** Revokes a key of this workspace; a key of another workspace is "not found". */
export async function revokeApiKey(db: Db, workspaceId: string, id: string): Promise<void> {
  const { count } = await db.prisma.apiKey.updateMany({
    where: { id, workspaceId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  keyCache.forget((_, key) => key?.id === id);
  if (count === 0) {
    const exists = await db.prisma.apiKey.findFirst({ where: { id, workspaceId }, select: { id: true } });
    if (!exists) throw new NotFoundError("api_key_not_found", "No API key with this id in this workspace.");
  }
}

/**
 * Resolves a presented secret to its workspace, or null when unknown or revoked. Every ingest
 * request starts here, so the answer is cached (lib/db/outage-cache.ts): a key revoked in another
 * process stops working within RUNLENS_SETTINGS_FRESH_MS, one revoked here at once, and known keys
 * keep working while Postgres is unreachable.
 */
export async function authenticateApiKey(db: Db, secret: string): Promise<ApiKeyPrincipal | null> {
  if (!secret || secret.length > 512) return null;
  const hash = hashSecret(secret);
  const key = await keyCache.read(hash, () => readKeyAndStampUse(db, hash));
  return key && { kind: "apiKey", workspaceId: key.workspaceId, keyId: key.id, label: key.label };
}

/** One statement on Postgres (a plain query, a fraction of a Prisma query's CPU). */
const READ_AND_STAMP_KEY = `
  WITH key AS (SELECT id, workspace_id, label, last_used_at, revoked_at FROM api_keys WHERE secret_hash = $1),
       stamp AS (
         UPDATE api_keys SET last_used_at = now()
          WHERE id = (SELECT id FROM key WHERE revoked_at IS NULL
                       AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2)))
       )
  SELECT id, workspace_id AS "workspaceId", label, revoked_at AS "revokedAt" FROM key`;

/**
 * The key of this hash, stamping its last use on the way: at minute resolution (one write a minute
 * per key, not one per request), and only when the database is read, so a down database fails no
 * request for the sake of the stamp.
 */
async function readKeyAndStampUse(db: Db, hash: string): Promise<KnownKey> {
  if (db.pool) {
    const { rows } = await db.pool.query<{ id: string; workspaceId: string; label: string; revokedAt: Date | null }>(
      READ_AND_STAMP_KEY,
      [hash, LAST_USED_RESOLUTION_MS / 1000],
    );
    const key = rows[0];
    return key && !key.revokedAt ? { id: key.id, workspaceId: key.workspaceId, label: key.label } : null;
  }
  const key = await db.prisma.apiKey.findUnique({ where: { secretHash: hash } });
  if (!key || key.revokedAt) return null;
  if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS)
    await db.prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date() } });
  return { id: key.id, workspaceId: key.workspaceId, label: key.label };
}

function toSummary(row: {
  id: string;
  label: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): ApiKey {
  return {
    id: row.id,
    label: row.label,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
