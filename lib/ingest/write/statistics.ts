import "server-only";
import type { Db } from "../../db/index.ts";
import { logger } from "../../log.ts";
import { processGlobal } from "../../process-global.ts";

type StatsState = { stable: boolean; busy: boolean; nextCheckAt: number };
const statsStates = processGlobal("__runlensExecutionStats", () => new WeakMap<object, StatsState>());
/** From this size on, the planner's choice for the lookup by primary key no longer changes as the table grows. */
const STATS_STABLE_PAGES = 32;

/**
 * Keeps planner statistics of a young `executions` table in step with its growth. Every batch looks
 * executions up by primary key (placeholder insert, row locks, rollup), with plans each connection
 * caches as prepared statements. On a table without statistics, or with statistics from when it held a page of rows, that plan is a
 * sequential scan or a scan of executions(workspace_id, external_id): either walks the workspace's
 * executions, so every span costs more as the table grows, until autovacuum analyzes it (Postgres,
 * within minutes) or for good (PGlite has no autovacuum). An ANALYZE each time the table has doubled,
 * up to STATS_STABLE_PAGES, makes every connection replan on the primary key; past that size this
 * process stops checking. Checks are at most one a second, after the batch's transaction.
 */
export async function keepExecutionStatsFresh(db: Db): Promise<void> {
  const key = db.pool ?? db.prisma;
  const st = statsStates.get(key) ?? { stable: false, busy: false, nextCheckAt: 0 };
  statsStates.set(key, st);
  if (st.stable || st.busy || Date.now() < st.nextCheckAt) return;
  st.busy = true;
  try {
    const sql = `SELECT relpages, reltuples < 0 AS never,
        (pg_relation_size(oid) / current_setting('block_size')::int)::int AS pages
      FROM pg_class WHERE oid = 'executions'::regclass`;
    type Row = { relpages: number; never: boolean; pages: number };
    const [r] = db.pool ? (await db.pool.query<Row>(sql)).rows : await db.prisma.$queryRawUnsafe<Row[]>(sql);
    if (!r) return;
    if (!r.never && r.relpages >= STATS_STABLE_PAGES) st.stable = true;
    else if (r.never || r.pages >= 2 * Math.max(r.relpages, 1)) {
      if (db.pool) await db.pool.query("ANALYZE executions");
      else await db.prisma.$executeRawUnsafe("ANALYZE executions");
    }
  } catch (e) {
    st.stable = true; // e.g. not the table's owner: autovacuum will do it
    logger("ingest").warn(`cannot ANALYZE executions (${(e as Error).message}); autovacuum will`);
  } finally {
    st.busy = false;
    st.nextCheckAt = Date.now() + 1000;
  }
}
