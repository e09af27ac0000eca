import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { Pool, PoolConfig } from "pg";
import { readConfig } from "../config.ts";
import { logger } from "../log.ts";
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
   * should not go through Prisma's parameter serialization (lib/db/transaction.ts).
   */
  pool?: Pool;
  close(): Promise<void>;
};

export type OpenOptions =
  | {
      kind: "postgres";
      url: string;
      migrate?: "apply" | "require" | "skip";
      poolSize?: number;
      /** Defaults: RUNLENS_DB_CONNECT_TIMEOUT_MS and RUNLENS_DB_QUERY_TIMEOUT_MS (lib/config.ts). */
      timeouts?: { connectMs: number; queryMs: number };
    }
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
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: configuredTimeouts().connectMs });
  client.on("error", () => undefined); // a broken session fails its pending query, which rejects
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

function configuredTimeouts(): { connectMs: number; queryMs: number } {
  const { dbConnectMs, dbQueryMs } = readConfig().timeouts;
  return { connectMs: dbConnectMs, queryMs: dbQueryMs };
}

/**
 * Every wait on Postgres is bounded, so an unreachable or frozen database fails requests with a
 * timeout (answered 503) instead of hanging them: opening a connection, and each statement. The
 * statement bound is the client's (`query_timeout`): a frozen server never cancels anything itself,
 * and it needs no startup parameter (PgBouncer refuses unknown ones). A connection whose statement
 * timed out is dropped by the pool, not reused. TCP keepalive finds peers that vanished without
 * closing the socket.
 */
function poolConfig(url: string, max: number, t: { connectMs: number; queryMs: number }): PoolConfig {
  return {
    connectionString: url,
    max,
    connectionTimeoutMillis: t.connectMs,
    query_timeout: t.queryMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * A connection that breaks (database restart, network loss) emits "error" on its client: the pool
 * listens on idle ones, and this listener covers the ones checked out by a query or transaction,
 * where an unheard "error" would crash the process. The failing query itself rejects and its
 * caller handles that; the broken client is dropped when released with the error.
 */
function keepConnectionErrorsFromCrashing(pool: Pool): void {
  pool.on("error", () => undefined); // an idle client's error: logged by its own listener below
  pool.on("connect", (client) => {
    client.on("error", (e) => logger("db").error(`connection error: ${e.message}`));
  });
}

/**
 * Interactive transactions (workspace and user setup, card layouts, snapshot reads): Prisma's 5 s
 * default expired during the first-start bootstrap on a loaded 2-core machine. A stalled database
 * is bounded by the pool's query timeout, not by this.
 */
const TRANSACTION_OPTIONS = { timeout: 60_000, maxWait: 30_000 };
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
    const pool = new pg.Pool(poolConfig(opts.url, opts.poolSize ?? 10, opts.timeouts ?? configuredTimeouts()));
    keepConnectionErrorsFromCrashing(pool);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: TRANSACTION_OPTIONS });
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
  // pg_trgm: the search indexes (migration 20261206150000_search_index).
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  let release = () => {};
  let dataDir = "memory://";
  if (opts.dataDir !== "memory") {
    dataDir = path.resolve(opts.dataDir);
    release = lockDataDir(dataDir);
    fs.mkdirSync(dataDir, { recursive: true });
  }
  try {
    const pg = new PGlite({ dataDir, extensions: { pg_trgm } });
    await pg.waitReady;
    await applyMigrations({
      exec: async (sql) => {
        await pg.exec(sql);
      },
      query: async <R>(sql: string, params?: unknown[]) => (await pg.query<R>(sql, params)).rows,
    });
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pg), transactionOptions: TRANSACTION_OPTIONS });
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
