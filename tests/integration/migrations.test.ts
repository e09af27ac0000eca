import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { migratePostgres } from "@/lib/db/client";
import { listMigrations, pendingMigrations, type SqlSession } from "@/lib/db/migrate";
import { createTestDb } from "../helpers/db";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

function sessionOf(db: Awaited<ReturnType<typeof createTestDb>>): SqlSession {
  // Single statements through Prisma's pool: enough for the read-only bookkeeping queries.
  return {
    exec: async (sql) => {
      await db.prisma.$executeRawUnsafe(sql);
    },
    query: async <T>(sql: string, params: unknown[] = []) => (await db.prisma.$queryRawUnsafe(sql, ...params)) as T[],
  };
}

describe("migrations", () => {
  it("applies every migration once, records Prisma's checksums, and is idempotent", async () => {
    const db = await createTestDb();
    try {
      const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows).toEqual(listMigrations().map((m) => ({ migration_name: m.name, checksum: m.checksum })));
      expect(await pendingMigrations(sessionOf(db))).toEqual([]);
      if (db.url) expect(await migratePostgres(db.url)).toEqual([]);
    } finally {
      await db.drop();
    }
  }, 180_000);

  it("schema.prisma and prisma/migrations are in sync", async () => {
    const { stderr } = await run(process.execPath, ["scripts/schema-engine.mjs", "check"], { cwd: ROOT });
    expect(stderr).toContain("matches");
  }, 180_000);

  it("the drift check fails when the schema changes without a migration", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-drift-"));
    fs.cpSync(path.join(ROOT, "prisma"), path.join(dir, "prisma"), { recursive: true });
    const schema = path.join(dir, "prisma/schema.prisma");
    fs.writeFileSync(schema, `${fs.readFileSync(schema, "utf8")}\nmodel DriftProbe {\n  id Int @id\n}\n`);
    const err = await run(process.execPath, [path.join(ROOT, "scripts/schema-engine.mjs"), "check"], {
      cwd: dir,
    }).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('CREATE TABLE "DriftProbe"');
    fs.rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});
