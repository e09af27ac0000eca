import "server-only";
import type { Db } from "../db/index.ts";
import { withTransaction } from "../db/transaction.ts";
import { logger } from "../log.ts";
import { processGlobal } from "../process-global.ts";

/**
 * execution_rollups (prisma/schema.prisma, ExecutionRollup) holds what the overview reads instead of
 * scanning executions and spans: per agent and 15-minute slot, executions, errors, tokens, cost and
 * log-bucket histograms of durations (lib/overview/histogram.ts). Triggers on executions append
 * delta rows in the writing transaction (migration 20261206120825_execution_rollups); compaction
 * merges each key's rows into one, so reads stay proportional to keys, not to writes.
 */

const KEY = "workspace_id, agent_id, tier, slot, kind, model, bucket";

/**
 * Uncompacted rows a pass starts from (found by the index on `compacted`): every row of their keys
 * is merged. Bounded, so a pass after a bulk load never meets the statement timeout: a DISTINCT over
 * all uncompacted rows (3.2 million after loading 10 million spans) did.
 */
const ROWS_PER_PASS = 20_000;

/**
 * Merges the rollup rows of every key that has uncompacted rows into one compacted row (dropping
 * keys that sum to nothing, such as those of deleted executions), the keys of ROWS_PER_PASS
 * uncompacted rows a transaction until a pass merges fewer (none left, or only newer ones). Rows committed while it runs are left for the next call. One compaction at a
 * time across processes (a transaction-level advisory lock; another caller returns at once).
 * Returns the number of rows it read.
 */
export async function compactExecutionRollups(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const pass = await withTransaction(db, async (tx) => {
      const [lock] = await tx.query<{ ok: boolean }>(
        "SELECT pg_try_advisory_xact_lock(hashtext('runlens.execution_rollups.compact')) AS ok",
      );
      if (!lock?.ok) return { rows: 0, pending: 0 };
      // JIT would compile this statement for its row estimates, not its work.
      if (db.pool) await tx.exec("SET LOCAL jit = off");
      const match = (a: string, b: string) =>
        `${a}.workspace_id = ${b}.workspace_id AND ${a}.kind = ${b}.kind AND ${a}.tier = ${b}.tier
         AND ${a}.agent_id = ${b}.agent_id AND ${a}.slot = ${b}.slot AND ${a}.model = ${b}.model AND ${a}.bucket = ${b}.bucket`;
      const sums =
        "sum(n) AS n, sum(errors) AS errors, sum(tokens) AS tokens, sum(cost) AS cost, sum(priced) AS priced";
      // Uncompacted rows are 15-minute deltas (the triggers write no other tier): each key's rows
      // are merged, and the deltas' sums are carried into the hours and days of their agent and of
      // all agents, merged with the rows those keys have.
      const [r] = await tx.query<{ rows: number; pending: number }>(
        `WITH keys AS (SELECT DISTINCT ${KEY} FROM (
             SELECT ${KEY} FROM execution_rollups WHERE NOT compacted LIMIT ${ROWS_PER_PASS}) f),
         gone AS (DELETE FROM execution_rollups r USING keys k WHERE ${match("r", "k")} RETURNING r.*),
         up AS (
           SELECT d.workspace_id, t.agent_id, t.tier, runlens_period(t.tier, d.slot) AS slot, d.kind, d.model, d.bucket,
             ${sums}
           FROM gone d CROSS JOIN LATERAL (VALUES (1::smallint, d.agent_id), (1::smallint, '*'),
                                                 (2::smallint, d.agent_id), (2::smallint, '*')) AS t(tier, agent_id)
           WHERE NOT d.compacted
           GROUP BY 1, 2, 3, 4, 5, 6, 7
         ),
         up_gone AS (DELETE FROM execution_rollups r USING up u WHERE ${match("r", "u")} RETURNING r.*),
         merged AS (
           INSERT INTO execution_rollups (${KEY}, n, errors, tokens, cost, priced, compacted)
           SELECT ${KEY}, ${sums}, true FROM (
             SELECT ${KEY}, n, errors, tokens, cost, priced FROM gone
             UNION ALL SELECT ${KEY}, n, errors, tokens, cost, priced FROM up
             UNION ALL SELECT ${KEY}, n, errors, tokens, cost, priced FROM up_gone
           ) x
           GROUP BY ${KEY}
           HAVING sum(n) <> 0 OR sum(errors) <> 0 OR sum(tokens) <> 0 OR sum(priced) <> 0
         )
         SELECT (SELECT count(*) FROM gone)::int AS rows,
           (SELECT count(*) FROM gone WHERE NOT gone.compacted)::int AS pending`,
      );
      return r ?? { rows: 0, pending: 0 };
    });
    total += pass.rows;
    if (pass.pending < ROWS_PER_PASS) return total;
  }
}

type CompactState = { busy: boolean; nextAt: number };
const states = processGlobal("__runlensRollupCompaction", () => new WeakMap<object, CompactState>());
/** How often a process compacts after ingest: often enough that reads meet few delta rows. */
const COMPACT_EVERY_MS = 30_000;
const log = logger("rollups");

/**
 * Called after each ingest transaction: compacts at most every 30 s per process, in the background
 * (a failure is logged; the next call tries again). Returns the pass it started, if any.
 */
export function compactRollupsSoon(db: Db): Promise<void> | undefined {
  const key = db.pool ?? db.prisma;
  const st = states.get(key) ?? { busy: false, nextAt: Date.now() + COMPACT_EVERY_MS };
  states.set(key, st);
  if (st.busy || Date.now() < st.nextAt) return undefined;
  st.busy = true;
  return compactExecutionRollups(db)
    .then(
      () => undefined,
      (e: Error) => log.warn(`compaction failed: ${e.message}`),
    )
    .finally(() => {
      st.busy = false;
      st.nextAt = Date.now() + COMPACT_EVERY_MS;
    });
}

/**
 * Runs rollup reads (lib/overview/rollup-sql.ts), each in its own transaction without JIT, at once:
 * the planner's estimates for their generated periods and jsonb expansions would have Postgres
 * compile each one (tens to hundreds of milliseconds) for work of a few milliseconds. Their sorts
 * get 16 MB: a 90-day daily series sorts ~75,000 histogram rows (about 7 MB), which spilled to disk
 * at the default 4 MB.
 */
export async function queryRollups<R>(db: Db, statements: { sql: string; values: unknown[] }[]): Promise<R[][]> {
  if (!db.pool) return Promise.all(statements.map((s) => db.prisma.$queryRawUnsafe<R[]>(s.sql, ...s.values)));
  return Promise.all(
    statements.map((s) =>
      withTransaction(db, async (tx) => {
        await tx.exec("SET LOCAL jit = off");
        await tx.exec("SET LOCAL work_mem = '16MB'");
        return tx.query<R>(s.sql, ...s.values);
      }),
    ),
  );
}
