import "server-only";
import { createHash } from "node:crypto";
import type { Db } from "../db/index.ts";

/**
 * Time partitions of `spans` and `track_events` (migration 20261206180016_time_partitions;
 * docs/architecture.md › Time partitions): LIST (workspace_id), then RANGE (day) per workspace, one
 * partition per workspace and UTC day, listed in `data_partitions`. A span's day is the day its
 * execution was created, an event's the day of its timestamp. Rows whose workspace or day has no
 * partition go to a DEFAULT partition (never a failed write); making the partition moves them in.
 */

/** The day of a workspace's keep partition of spans (reviewed executions past retention). */
export const KEEP_DAY = "1970-01-01";

/**
 * The partition days an execution's spans can be in: the UTC day it was created and the keep day.
 * Reads by execution add `day = ANY(days)`, which Postgres prunes to those partitions (and the
 * workspace's default one when a day has none): tests/integration/partitions.test.ts.
 */
export async function executionSpanDays(db: Db, workspaceId: string, executionId: string): Promise<string[]> {
  const [row] = await db.prisma.$queryRawUnsafe<{ day: string }[]>(
    `SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day FROM executions WHERE workspace_id = $1 AND id = $2`,
    workspaceId,
    executionId,
  );
  return row ? [row.day, KEEP_DAY] : [KEEP_DAY];
}

/** executionSpanDays as dates, for Prisma's `day: { in: ... }`. */
export async function executionSpanDates(db: Db, workspaceId: string, executionId: string): Promise<Date[]> {
  return (await executionSpanDays(db, workspaceId, executionId)).map((d) => new Date(`${d}T00:00:00Z`));
}

/** In SQL, the partition day of the spans of an execution row `e`: the UTC day it was created. */
export const executionDaySql = (e: string) => `(${e}.created_at AT TIME ZONE 'UTC')::date`;

/**
 * In SQL, an execution's partition days from its day (an expression): for `s.day = ANY(...)` in a
 * statement that reads spans by execution. An ARRAY[...] of expressions, not an array value: the
 * workspace's level (RANGE (day)) is then pruned per execution while the statement runs.
 */
export const executionDaysSql = (day: string) => `ARRAY[${day}, DATE '${KEEP_DAY}']`;

export type PartitionedTable = "spans" | "track_events";

/** The name of a workspace's level of a table (partitioned by day), as runlens_ensure_partition makes it. */
export const workspaceLevel = (table: PartitionedTable, workspaceId: string) =>
  `${table}_${createHash("md5").update(workspaceId).digest("hex").slice(0, 12)}`;
export const PARTITIONED_TABLES: readonly PartitionedTable[] = ["spans", "track_events"];

/** How many days ahead (after today) the worker makes partitions: RUNLENS_PARTITIONS_AHEAD_DAYS, default 2. */
export function partitionsAheadDays(): number {
  const v = Number(process.env.RUNLENS_PARTITIONS_AHEAD_DAYS);
  return Number.isInteger(v) && v >= 0 && v <= 60 ? v : 2;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** UTC days from `from` for `count` days, as YYYY-MM-DD. */
export function daysFrom(from: Date, count: number): string[] {
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  return Array.from({ length: count }, (_, i) => isoDay(new Date(start + i * 86_400_000)));
}

/** Makes the partition of `table` for workspace and day (when there is none); returns its table name. */
export async function ensurePartition(
  db: Db,
  table: PartitionedTable,
  workspaceId: string,
  day: string,
): Promise<string> {
  const [row] = await db.prisma.$queryRawUnsafe<{ rel: string }[]>(
    "SELECT runlens_ensure_partition($1, $2, $3::date) AS rel",
    table,
    workspaceId,
    day,
  );
  return row.rel;
}

/**
 * Makes every workspace's partitions of both tables from today to `aheadDays` days on, and those of
 * days that have rows in a default partition (written before their partition existed: this moves
 * them in). Returns how many partitions it made.
 */
export async function ensurePartitionsAhead(
  db: Db,
  now = new Date(),
  aheadDays = partitionsAheadDays(),
): Promise<number> {
  const days = daysFrom(now, aheadDays + 1);
  // Rows written before their partition existed, in the tables' and the workspaces' default partitions.
  const defaults = await db.prisma.$queryRawUnsafe<{ table_name: PartitionedTable; relname: string }[]>(
    `SELECT substring(relname from '^(spans|track_events)_') AS table_name, relname FROM pg_class
     WHERE relkind = 'r' AND relispartition AND relname ~ '^(spans|track_events)(_[0-9a-f]{12})?_default$' ORDER BY relname`,
  );
  const strays = defaults
    .map((d) => `UNION SELECT DISTINCT '${d.table_name}', workspace_id, day FROM "${d.relname}"`)
    .join("\n       ");
  const missing = await db.prisma.$queryRawUnsafe<
    { table_name: PartitionedTable; workspace_id: string; day: string }[]
  >(
    `WITH wanted AS (
       SELECT t.table_name, w.id AS workspace_id, d.day::date AS day
       FROM workspaces w CROSS JOIN unnest($1::text[]) AS d(day) CROSS JOIN unnest($2::text[]) AS t(table_name)
       ${strays}
     )
     SELECT w.table_name, w.workspace_id, to_char(w.day, 'YYYY-MM-DD') AS day FROM wanted w
     WHERE NOT EXISTS (SELECT 1 FROM data_partitions p
       WHERE p.table_name = w.table_name AND p.workspace_id = w.workspace_id AND p.day = w.day)
     ORDER BY 2, 3, 1`,
    days,
    PARTITIONED_TABLES,
  );
  for (const m of missing) await ensurePartition(db, m.table_name, m.workspace_id, m.day);
  return missing.length;
}
