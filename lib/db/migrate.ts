import "server-only";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** One connection that can run a multi-statement script (BEGIN/COMMIT must share it). */
export type SqlSession = {
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
};

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;

export const MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");

export function listMigrations(dir = MIGRATIONS_DIR): { name: string; sql: string; checksum: string }[] {
  if (!fs.existsSync(/*turbopackIgnore: true*/ dir)) return [];
  return fs
    .readdirSync(/*turbopackIgnore: true*/ dir)
    .filter((name) => fs.existsSync(path.join(/*turbopackIgnore: true*/ dir, name, "migration.sql")))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(/*turbopackIgnore: true*/ dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

async function appliedNames(db: SqlSession): Promise<Set<string>> {
  const rows = await db.query<{ migration_name: string }>(
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return new Set(rows.map((r) => r.migration_name));
}

/** Names of migrations not yet applied (the table may not exist yet). */
export async function pendingMigrations(db: SqlSession, dir = MIGRATIONS_DIR): Promise<string[]> {
  const [{ exists }] = await db.query<{ exists: boolean }>(
    `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`,
  );
  const done = exists ? await appliedNames(db) : new Set<string>();
  return listMigrations(dir)
    .map((m) => m.name)
    .filter((n) => !done.has(n));
}

/**
 * Applies prisma/migrations/* in order, each in its own transaction, and records them in Prisma's
 * `_prisma_migrations` table with Prisma's checksum, so `prisma migrate deploy` stays compatible.
 * A session-level advisory lock keeps two deployers from racing.
 */
export async function applyMigrations(db: SqlSession, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(MIGRATIONS_TABLE);
  await db.exec("SELECT pg_advisory_lock(72707369)");
  try {
    const done = await appliedNames(db);
    const applied: string[] = [];
    for (const m of listMigrations(dir)) {
      if (done.has(m.name)) continue;
      await db.exec("BEGIN");
      try {
        await db.exec(m.sql);
        await db.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await db.exec("COMMIT");
      } catch (e) {
        await db.exec("ROLLBACK");
        throw new Error(`Migration ${m.name} failed: ${(e as Error).message}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await db.exec("SELECT pg_advisory_unlock(72707369)");
  }
}
