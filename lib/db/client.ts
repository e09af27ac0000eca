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
  /**
   * Postgres with `DATABASE_READ_URL`: the streaming replicas the read-only paths use
   * (lib/db/replicas.ts `readFrom`); each replica is a `Db` of its own, without `read`.
   */
  read?: ReadReplicas;
  close(): Promise<void>;
};

/** The read replicas of a primary and how far behind one may be before reads skip it. */
export type ReadReplicas = {
  replicas: { db: Db; label: string }[];
  maxLagMs: number;
};

export type OpenOptions =
  | {
      kind: "postgres";
      url: string;
      migrate?: "apply" | "require" | "skip";
      poolSize?: number;
      /** Defaults: RUNLENS_DB_CONNECT_TIMEOUT_MS and RUNLENS_DB_QUERY_TIMEOUT_MS (lib/config.ts). */
      timeouts?: { connectMs: number; queryMs: number };
      /** Streaming replicas for the read-only paths (DATABASE_READ_URL); none by default. */
      read?: { urls: string[]; poolSize: number; maxLagMs: number };
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
function poolConfig(
  url: string,
  max: number,
  t: { connectMs: number; queryMs: number },
  applicationName?: string,
): PoolConfig {
  return {
    connectionString: url,
    max,
    application_name: applicationName,
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

/** A replica's address for logs: host, port and database, never the credentials. */
export function replicaLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparsable DATABASE_READ_URL entry)";
  }
}

/**
 * A replica's pool and Prisma client. Nothing connects here (pools connect on first use), so a
 * replica that is down when the process starts costs no start: its first read falls back to the
 * primary (lib/db/replicas.ts). No migration check either: a streaming replica has the primary's
 * schema. Connections are named `runlens-read` (`pg_stat_activity.application_name`).
 */
async function openReplica(url: string, poolSize: number, t: { connectMs: number; queryMs: number }): Promise<Db> {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const { default: pg } = await import("pg");
  const pool = new pg.Pool(poolConfig(url, poolSize, t, "runlens-read"));
  keepConnectionErrorsFromCrashing(pool);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: TRANSACTION_OPTIONS });
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

/**
 * Settings of the embedded database (PGlite), on top of PGlite's own start parameters. Its shared
 * memory lives in the web process's WebAssembly memory and is written whole at start: with initdb's
 * default of 128 MB shared_buffers that memory held 153 MB resident in the idle server; a process
 * that only opens PGlite and migrates holds 293 MB with it, 176 MB with 32 MB (docs/performance.md
 * › Real traffic › Memory). Pages not in shared buffers are read from the operating system's page
 * cache, which holds the data directory's files anyway.
 */
export const EMBEDDED_SETTINGS = ["-c", "shared_buffers=32MB"];

/**
 * A new embedded database is created (PGlite's initdb) by `scripts/pglite-init.mjs` in a child
 * process: initdb runs in a second WebAssembly instance, whose memory (about 500 MB at its peak)
 * stayed in the server after the first start until a full garbage collection (the embedded server
 * idled at 803 MB 60 s after a first start), and partly in the allocator's arenas for good (447 MB
 * after a full collection against 293 MB reopening the same directory). An existing database (PG_VERSION present) is opened as before; if the child cannot do
 * it, PGlite creates the database in this process, as it always did.
 */
async function initDataDirInChild(dataDir: string, startParams: string[]): Promise<void> {
  if (fs.existsSync(path.join(dataDir, "PG_VERSION"))) return;
  const script = path.join(/*turbopackIgnore: true*/ process.cwd(), "scripts/pglite-init.mjs");
  if (!fs.existsSync(/*turbopackIgnore: true*/ script)) return;
  const { spawn } = await import("node:child_process");
  const problem = await new Promise<string | null>((resolve) => {
    const child = spawn(process.execPath, [script, dataDir, JSON.stringify(startParams)], {
      cwd: process.cwd(),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d).slice(-2_000);
    });
    child.on("error", (e) => resolve(e.message));
    child.on("exit", (code, signal) => resolve(code === 0 ? null : `${signal ?? `code ${code}`}: ${stderr.trim()}`));
  });
  if (problem)
    logger("db").warn(`creating the embedded database in a child process failed (${problem}); creating it here`);
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
    const timeouts = opts.timeouts ?? configuredTimeouts();
    const pool = new pg.Pool(poolConfig(opts.url, opts.poolSize ?? 10, timeouts));
    keepConnectionErrorsFromCrashing(pool);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: TRANSACTION_OPTIONS });
    try {
      await prisma.$queryRawUnsafe("SELECT 1");
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    const readOpts = opts.read;
    const read: ReadReplicas | undefined = readOpts?.urls.length
      ? {
          replicas: await Promise.all(
            readOpts.urls.map(async (url) => ({
              db: await openReplica(url, readOpts.poolSize, timeouts),
              label: replicaLabel(url),
            })),
          ),
          maxLagMs: readOpts.maxLagMs,
        }
      : undefined;
    if (read) logger("db").info(`reads of the read-only paths go to ${read.replicas.map((r) => r.label).join(", ")}`);
    return {
      prisma,
      kind: "postgres",
      pool,
      read,
      close: async () => {
        await Promise.all((read?.replicas ?? []).map((r) => r.db.close().catch(() => undefined)));
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
    const startParams = [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS];
    if (dataDir !== "memory://") await initDataDirInChild(dataDir, startParams);
    const pg = new PGlite({ dataDir, startParams, extensions: { pg_trgm } });
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
