import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Db, openDatabase } from "@/lib/db/client";

/** The Postgres server integration tests use, when one is configured. */
export function testServerUrl(): string | null {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || null;
}

export type TestDb = Db & { url: string | null; drop(): Promise<void> };

/**
 * A fresh, migrated database for one test file: a new database on the real Postgres server when
 * TEST_DATABASE_URL (or DATABASE_URL) is set, an in-memory PGlite otherwise.
 */
export async function createTestDb(): Promise<TestDb> {
  const server = testServerUrl();
  if (!server) {
    const db = await openDatabase({ kind: "embedded", dataDir: "memory" });
    return { ...db, url: null, drop: () => db.close() };
  }
  const name = `runlens_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: "postgres", url: url.toString(), migrate: "apply", poolSize: 5 });
  return {
    ...db,
    url: url.toString(),
    drop: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const redisUrl = process.env.REDIS_URL || null;
