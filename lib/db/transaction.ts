import "server-only";
import { createHash } from "node:crypto";
import { from as copyStream } from "pg-copy-streams";
import { processGlobal } from "../process-global.ts";
import type { Db } from "./index.ts";

/**
 * Transactions of raw SQL for the hot paths (ingest writers, rollups): on Postgres straight on a
 * pooled `pg` connection with named prepared statements, on PGlite through Prisma, which owns its
 * single connection.
 */

/** The statements of one transaction: raw SQL with $n parameters. */
export type SqlTx = {
  /** Runs a statement; resolves to the number of rows it affected. */
  exec(sql: string, ...params: unknown[]): Promise<number>;
  query<R>(sql: string, ...params: unknown[]): Promise<R[]>;
  /** `COPY … FROM STDIN` of text-format data; Postgres only (undefined on PGlite). */
  copyFrom?(sql: string, data: string): Promise<void>;
  /** Runs `fn` once the transaction has committed (never if it rolls back). */
  afterCommit(fn: () => void): void;
};

const TX_TIMEOUT_MS = 60_000;

const statementNames = processGlobal("__runlensStatementNames", () => new Map<string, string>());
/**
 * The writers' statements are fixed texts run for every batch: as named prepared statements each
 * pooled connection parses them once, and Postgres can keep a generic plan instead of planning the
 * large statements on every batch.
 */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `rl_${createHash("sha1").update(sql).digest("hex").slice(0, 16)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * Runs `fn` in one transaction. On Postgres the statements go straight to a pooled `pg` connection:
 * Prisma's raw queries serialize and re-parse every parameter, which for a batch's JSON (hundreds of
 * KB) costs more CPU than the rest of the write. Embedded (PGlite) goes through Prisma, which owns
 * PGlite's single connection.
 */
export async function withTransaction<T>(db: Db, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
  const pool = db.pool;
  const committed: (() => void)[] = [];
  const afterCommit = (f: () => void) => {
    committed.push(f);
  };
  if (!pool) {
    const result = await db.prisma.$transaction(
      (tx) =>
        fn({
          exec: (sql, ...params) => tx.$executeRawUnsafe(sql, ...params),
          query: <R>(sql: string, ...params: unknown[]) => tx.$queryRawUnsafe<R[]>(sql, ...params),
          afterCommit,
        }),
      { timeout: TX_TIMEOUT_MS, maxWait: 30_000 },
    );
    for (const f of committed) f();
    return result;
  }
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // No JIT in write transactions: their statements are small, but a plan over a partitioned
    // table's partitions (spans: one per workspace and day) can cost past jit_above_cost, and
    // compiling it took 29–42 s under load where the statement runs in 0.14 s (ROLLUP_EXECUTIONS
    // over 30 partitions; docs/performance.md › Lifecycle › Partitions).
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${TX_TIMEOUT_MS}; SET LOCAL jit = off`);
    try {
      const result = await fn({
        exec: async (sql, ...params) =>
          (await client.query({ name: statementName(sql), text: sql, values: params })).rowCount ?? 0,
        query: async <R>(sql: string, ...params: unknown[]) =>
          (await client.query({ name: statementName(sql), text: sql, values: params })).rows as R[],
        copyFrom: (sql, data) =>
          new Promise<void>((resolve, reject) => {
            const stream = client.query(copyStream(sql));
            stream.on("error", reject);
            stream.on("finish", resolve); // after Postgres confirmed the COPY
            stream.end(data);
          }),
        afterCommit,
      });
      await client.query("COMMIT");
      for (const f of committed) f();
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch((re: Error) => {
        broken = re; // the connection is unusable: the pool drops it
      });
      throw e;
    }
  } finally {
    client.release(broken);
  }
}
