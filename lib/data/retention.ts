import "server-only";
import type { Db } from "../db/index.ts";
import { withTransaction } from "../db/transaction.ts";
import { parseByteSize } from "../format.ts";
import { logger } from "../log.ts";
import { daysFrom, ensurePartition, KEEP_DAY, type PartitionedTable, workspaceLevel } from "./partitions.ts";
import { databaseBytes, workspaceUsage } from "./usage.ts";

/**
 * Retention and the storage budget (docs/architecture.md › Time partitions › Retention): expired
 * data goes by dropping whole day partitions of a workspace (DROP TABLE), never by deleting rows
 * of spans or events.
 *
 * Dropping a day of spans: the spans of executions that have a review first move into the
 * workspace's keep partition (day KEEP_DAY; an UPDATE of their day, which Postgres carries out as a
 * move between partitions), so their review page, chat view and fine-tuning export read them as
 * before; the executions created that day without a review are deleted (their execution_search
 * rows go with them by foreign key) with `runlens.retention` set, under which the delete triggers on
 * executions write no negative rollup deltas and delete no spans: Overview's execution_rollups and
 * the metric cards keep the history; last, in the same transaction, the partition is dropped.
 * Dropping a day of events drops its partition only: event_rollups and the event catalog keep
 * their counts. A pass pauses between two drops (retentionPauseMs).
 */

const log = logger("data");
const DAY_MS = 86_400_000;

export type DroppedPartition = { table: PartitionedTable; workspaceId: string; day: string; reason: string };
export type RetentionResult = {
  dropped: DroppedPartition[];
  /** Executions deleted with the dropped days of spans (those without a review). */
  executionsRemoved: number;
  /** Reviewed executions whose spans moved into a keep partition. */
  executionsKept: number;
};

const empty = (): RetentionResult => ({ dropped: [], executionsRemoved: 0, executionsKept: 0 });

/** The first day still kept when data older than `days` days expires (days before it are dropped). */
export function retentionCutoff(now: Date, days: number): string {
  return daysFrom(new Date(now.getTime() - days * DAY_MS), 1)[0];
}

/**
 * Drops one partition (spans: reviewed executions kept, see above). `SET LOCAL lock_timeout`: the
 * DROP needs an exclusive lock on the parent table for a moment; it waits no longer than that
 * behind long reads, instead of holding ingest up behind it.
 */
async function dropPartition(
  db: Db,
  table: PartitionedTable,
  workspaceId: string,
  day: string,
  relname: string,
): Promise<{ removed: number; kept: number }> {
  let removed = 0;
  let kept = 0;
  if (table === "spans") await ensurePartition(db, "spans", workspaceId, KEEP_DAY);
  await withTransaction(db, async (tx) => {
    await tx.exec("SELECT set_config('lock_timeout', '10s', true), set_config('runlens.retention', 'on', true)");
    if (table === "spans") {
      // The reviewed executions of that day (reviews are few: no scan of the day's spans).
      const reviewed = await tx.query<{ execution_id: string }>(
        `SELECT r.execution_id FROM reviews r JOIN executions e ON e.workspace_id = r.workspace_id AND e.id = r.execution_id
         WHERE r.workspace_id = $1 AND e.created_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
           AND e.created_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
         ORDER BY 1`,
        workspaceId,
        day,
      );
      kept = reviewed.length;
      if (kept)
        await tx.exec(
          `UPDATE spans SET day = $3::date WHERE workspace_id = $1 AND day = $2::date
             AND execution_id = ANY($4::text[])`,
          workspaceId,
          day,
          KEEP_DAY,
          reviewed.map((r) => r.execution_id),
        );
      removed = await tx.exec(
        `DELETE FROM executions e WHERE e.workspace_id = $1
           AND e.created_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
           AND e.created_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
           AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.workspace_id = e.workspace_id AND r.execution_id = e.id)`,
        workspaceId,
        day,
      );
    }
    // Last, so the exclusive lock DROP takes on the parent table (which holds ingest up) lasts
    // only until the commit right after.
    await tx.exec("DELETE FROM data_partitions WHERE relname = $1", relname);
    await tx.exec(`DROP TABLE IF EXISTS "${relname.replaceAll('"', '""')}"`);
  });
  return { removed, kept };
}

type Listed = { table_name: PartitionedTable; workspace_id: string; day: string; relname: string };

/**
 * The pause between two drops of one pass: RUNLENS_RETENTION_PAUSE_MS, default 1 s. A drop takes its
 * workspace level's exclusive lock for a moment, which stalls that workspace's ingest once (it waits
 * for the writes in flight, and new ones queue behind it); paced, a pass that drops many days (a
 * retention shortened, a budget far exceeded) costs ingest one such stall a second at most
 * (docs/performance.md › Lifecycle › Two levels).
 */
export function retentionPauseMs(): number {
  const v = Number(process.env.RUNLENS_RETENTION_PAUSE_MS);
  return Number.isFinite(v) && v >= 0 && v <= 600_000 ? v : 1000;
}

/** `pauseMs` between two drops; `signal` stops a pass between two drops (the process is closing). */
export type RetentionOptions = { pauseMs?: number; signal?: AbortSignal };

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

async function dropAll(
  db: Db,
  parts: Listed[],
  reason: string,
  into: RetentionResult,
  { pauseMs = retentionPauseMs(), signal }: RetentionOptions = {},
) {
  for (const p of parts) {
    if (into.dropped.length > 0 && pauseMs > 0) await pause(pauseMs, signal);
    if (signal?.aborted) return;
    const r = await dropPartition(db, p.table_name, p.workspace_id, p.day, p.relname);
    into.dropped.push({ table: p.table_name, workspaceId: p.workspace_id, day: p.day, reason });
    into.executionsRemoved += r.removed;
    into.executionsKept += r.kept;
  }
}

/**
 * Applies every workspace's retention (traces_retention_days, events_retention_days; null keeps
 * forever): drops the partitions of days before the cutoff, and the partitions of workspaces that
 * no longer exist.
 */
export async function applyRetention(db: Db, now = new Date(), opts: RetentionOptions = {}): Promise<RetentionResult> {
  const result = empty();
  const workspaces = await db.prisma.$queryRawUnsafe<{ id: string; traces: number | null; events: number | null }[]>(
    `SELECT id, traces_retention_days AS traces, events_retention_days AS events FROM workspaces
     WHERE traces_retention_days IS NOT NULL OR events_retention_days IS NOT NULL ORDER BY id`,
  );
  for (const w of workspaces)
    for (const [table, days] of [
      ["spans", w.traces],
      ["track_events", w.events],
    ] as const) {
      if (days === null || days === undefined) continue;
      const expired = await db.prisma.$queryRawUnsafe<Listed[]>(
        `SELECT table_name, workspace_id, to_char(day, 'YYYY-MM-DD') AS day, relname FROM data_partitions
         WHERE table_name = $1 AND workspace_id = $2 AND day < $3::date AND day <> $4::date ORDER BY day`,
        table,
        w.id,
        retentionCutoff(now, days),
        KEEP_DAY,
      );
      await dropAll(db, expired, `retention ${days} days`, result, opts);
    }
  // A deleted workspace's rows went with it (foreign keys, triggers): its level of each table is
  // dropped whole, with every day under it.
  const orphans = await db.prisma.$queryRawUnsafe<Listed[]>(
    `SELECT table_name, workspace_id, to_char(day, 'YYYY-MM-DD') AS day, relname FROM data_partitions p
     WHERE NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.id = p.workspace_id) ORDER BY table_name, workspace_id, day`,
  );
  for (const key of new Set(orphans.map((o) => `${o.table_name}\n${o.workspace_id}`))) {
    const [table, workspaceId] = key.split("\n") as [PartitionedTable, string];
    await withTransaction(db, async (tx) => {
      await tx.exec("SELECT set_config('lock_timeout', '10s', true)");
      await tx.exec("DELETE FROM data_partitions WHERE table_name = $1 AND workspace_id = $2", table, workspaceId);
      await tx.exec(`DROP TABLE IF EXISTS "${workspaceLevel(table, workspaceId)}"`);
    });
    for (const o of orphans.filter((o) => o.table_name === table && o.workspace_id === workspaceId))
      result.dropped.push({ table, workspaceId, day: o.day, reason: "workspace deleted" });
  }
  if (result.dropped.length)
    log.info(
      `retention dropped ${result.dropped.length} partitions (${result.executionsRemoved} executions removed, ${result.executionsKept} reviewed kept)`,
    );
  return result;
}

/** The oldest droppable trace partitions first (not today's or later, not keep partitions). */
const OLDEST_SPANS = `SELECT table_name, workspace_id, to_char(day, 'YYYY-MM-DD') AS day, relname FROM data_partitions
  WHERE table_name = 'spans' AND day <> $1::date AND day < $2::date`;

/**
 * The storage budget: while the database is larger than RUNLENS_STORAGE_BUDGET, the oldest trace
 * partition (of any workspace) is dropped; while a workspace's data (as Settings › Data estimates
 * it, lib/data/usage.ts) is larger than its own storage_budget_bytes, its oldest trace partition is. Reviewed executions are kept as by retention.
 * Today's partitions are never dropped (what ingest writes now).
 */
export async function enforceStorageBudget(
  db: Db,
  now = new Date(),
  globalBudget = parseByteSize(process.env.RUNLENS_STORAGE_BUDGET ?? ""),
  opts: RetentionOptions = {},
): Promise<RetentionResult> {
  const result = empty();
  const today = daysFrom(now, 1)[0];
  if (globalBudget !== null) {
    while (!opts.signal?.aborted && (await databaseBytes(db)) > globalBudget) {
      const [oldest] = await db.prisma.$queryRawUnsafe<Listed[]>(
        `${OLDEST_SPANS} ORDER BY day, workspace_id LIMIT 1`,
        KEEP_DAY,
        today,
      );
      if (!oldest) break;
      await dropAll(db, [oldest], "storage budget", result, opts);
    }
  }
  // A workspace's bytes as Settings › Data and the storage banner show them (lib/data/usage.ts), so
  // what the budget drops for and what the banner warns about are one measure.
  const budgets = await db.prisma.$queryRawUnsafe<{ id: string; budget: bigint; events: number | null }[]>(
    `SELECT id, storage_budget_bytes AS budget, events_retention_days AS events FROM workspaces
     WHERE storage_budget_bytes IS NOT NULL ORDER BY id`,
  );
  for (const w of budgets) {
    const used = async () => (await workspaceUsage(db, w.id, { eventsRetentionDays: w.events, now })).totalBytes;
    while (!opts.signal?.aborted && (await used()) > Number(w.budget)) {
      const [oldest] = await db.prisma.$queryRawUnsafe<Listed[]>(
        `${OLDEST_SPANS} AND workspace_id = $3 ORDER BY day LIMIT 1`,
        KEEP_DAY,
        today,
        w.id,
      );
      if (!oldest) break;
      await dropAll(db, [oldest], "workspace storage budget", result, opts);
    }
  }
  return result;
}
