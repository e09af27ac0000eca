import fs from "node:fs";
import path from "node:path";
import type { Pool } from "pg";
import { PrismaClient } from "./generated/client.ts";
import { applyMigrations, pendingMigrations, type SqlSession } from "./migrate.ts";
import { lockDataDir } from "./pglite-lock.ts";

export type DbKind = "embedded" | "postgres";

/** An open database: the Prisma client for ordinary queries, `kind` for health, `close` for shutdown. */
export type Db = {
  prisma: PrismaClient;
  kind: DbKind;
  /**
   * Postgres only: the connection pool under `prisma`, for bulk statements whose large parameters
   * should not go through Prisma's parameter serialization (lib/ingest/write.ts).
   */
  pool?: Pool;
  close(): Promise<void>;
};

export type OpenOptions =
  | { kind: "postgres"; url: string; migrate?: "apply" | "require" | "skip"; poolSize?: number }
  | { kind: "embedded"; dataDir: string | "memory" };

export class PendingMigrationsError extends Error {
  constructor(names: string[]) {
    super(
      `The database is missing ${names.length} migration(s) (${names.join(", ")}). Run \`npm run db:deploy\` with the same DATABASE_URL, then start again.`,
    );
    this.name = "PendingMigrationsError";
  }
}

async function withPgSession<T>(url: string, fn: (s: SqlSession) => Promise<T>): Promise<T> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn({
      exec: async (sql) => {
        await client.query(sql);
      },
      query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
    });
  } finally {
    await client.end();
  }
}

export async function migratePostgres(url: string): Promise<string[]> {
  return withPgSession(url, applyMigrations);
}

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  if (opts.kind === "postgres") {
    const mode = opts.migrate ?? "require";
    if (mode === "apply") await migratePostgres(opts.url);
    else if (mode === "require") {
      const pending = await withPgSession(opts.url, (s) => pendingMigrations(s));
      if (pending.length > 0) throw new PendingMigrationsError(pending);
    }
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const { default: pg } = await import("pg");
    // One pool shared by Prisma and the bulk writers of the ingest pipeline.
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle connection that breaks (database restart) is dropped by the pool; not a crash.
    pool.on("error", (e) => console.error(`[db] idle connection error: ${e.message}`));
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    try {
      await prisma.$queryRawUnsafe("SELECT 1");
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return {
      prisma,
      kind: "postgres",
      pool,
      close: async () => {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }

  const { PGlite } = await import("@electric-sql/pglite");
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  let release = () => {};
  let dataDir = "memory://";
  if (opts.dataDir !== "memory") {
    dataDir = path.resolve(opts.dataDir);
    release = lockDataDir(dataDir);
    fs.mkdirSync(dataDir, { recursive: true });
  }
  try {
    const pg = new PGlite({ dataDir });
    await pg.waitReady;
    await applyMigrations({
      exec: async (sql) => {
        await pg.exec(sql);
      },
      query: async <R>(sql: string, params?: unknown[]) => (await pg.query<R>(sql, params)).rows,
    });
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pg) });
    return {
      prisma,
      kind: "embedded",
      close: async () => {
        await prisma.$disconnect();
        await pg.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
