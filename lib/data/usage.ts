import "server-only";
import type { DataUsage } from "../contracts/data.ts";
import { USAGE_DAYS } from "../contracts/data.ts";
import type { Db } from "../db/index.ts";
import { readFrom } from "../db/replicas.ts";
import { type Int8, int8 } from "../db/sql.ts";
import { processGlobal } from "../process-global.ts";

/**
 * What a workspace's data takes (Settings › Data, the storage banner), estimated without reading
 * its spans or events:
 *
 * - the average stored bytes of a row of each data table (heap, indexes and TOASTed payloads
 *   together: `pg_total_relation_size` over the table's partitions, over its row estimate), for
 *   the whole database, from the catalog: `tableStats`;
 * - the workspace's own row counts per agent and UTC day: spans and executions from its executions
 *   (`span_count`, one grouped pass over its executions, which are tens of times fewer than its
 *   spans), events from the hourly event rollups (one row per event name and hour): `workspaceRows`;
 * - bytes = rows × average row size, summed per agent and per day: `bytesByDay` is the one
 *   function to replace when per-day sizes come from the time partitions' own sizes.
 *
 * How exact: the row counts are exact; the row size is the installation's average, so a workspace
 * whose payloads are much larger than the others' is under-estimated, and the total over all
 * workspaces matches the tables' sizes to within the row estimate's error (ANALYZE's sample).
 */

/** The tables a workspace's traces and events live in, each with the table whose rows it counts. */
const TRACE_TABLES = { spans: ["spans"], executions: ["executions", "execution_search"] } as const;
const EVENT_TABLES = { events: ["track_events"] } as const;

/** Under this heap size a table without a usable row estimate is counted exactly (a short scan). */
const EXACT_COUNT_MAX_BYTES = 32 * 1024 * 1024;

export type TableStat = { bytes: number; rows: number };

/**
 * Total bytes (with indexes and TOAST, over every partition) and estimated rows of `table`. The
 * row estimate is the planner's: `reltuples` scaled by the heap's current pages over those it was
 * measured on, so it follows growth between ANALYZE runs. A table never analyzed (the embedded
 * database has no autovacuum) is counted exactly when small, else analyzed once (a sample).
 */
async function tableStat(db: Db, table: string): Promise<TableStat> {
  const read = () =>
    db.prisma.$queryRawUnsafe<{ bytes: Int8; heap: Int8; rows: number | null; unknown: boolean | null }[]>(
      `WITH leaves AS (
         -- A partitioned table's partitions, or the plain table itself (which has no partition tree).
         SELECT p.relid FROM pg_partition_tree('${table}'::regclass) p WHERE p.isleaf
         UNION
         SELECT c.oid FROM pg_class c WHERE c.oid = '${table}'::regclass AND c.relkind = 'r'
       )
       SELECT sum(pg_total_relation_size(l.relid))::bigint AS bytes,
              sum(pg_relation_size(l.relid))::bigint AS heap,
              sum(CASE WHEN c.relpages > 0 AND c.reltuples >= 0
                       THEN c.reltuples * (pg_relation_size(l.relid) / current_setting('block_size')::float8) / c.relpages
                       ELSE 0 END)::float8 AS rows,
              bool_or((c.reltuples < 0 OR c.relpages = 0) AND pg_relation_size(l.relid) > 0) AS unknown
         FROM leaves l
         JOIN pg_class c ON c.oid = l.relid`,
    );
  let [r] = await read();
  if (r?.unknown) {
    if ((int8(r.heap) ?? 0) <= EXACT_COUNT_MAX_BYTES) {
      const [c] = await db.prisma.$queryRawUnsafe<{ n: Int8 }[]>(`SELECT count(*)::bigint AS n FROM ${table}`);
      return { bytes: int8(r.bytes) ?? 0, rows: int8(c.n) ?? 0 };
    }
    await db.prisma.$executeRawUnsafe(`ANALYZE ${table}`);
    [r] = await read();
  }
  return { bytes: int8(r?.bytes) ?? 0, rows: Math.round(r?.rows ?? 0) };
}

/** Average stored bytes of one span, one execution (with its search row) and one event. */
export type RowSizes = { span: number; execution: number; event: number };

const perRow = (stats: TableStat[], rows: number) => (rows > 0 ? stats.reduce((sum, s) => sum + s.bytes, 0) / rows : 0);

export async function rowSizes(db: Db): Promise<RowSizes> {
  const [spans, executions, search, events] = await Promise.all([
    tableStat(db, TRACE_TABLES.spans[0]),
    tableStat(db, TRACE_TABLES.executions[0]),
    tableStat(db, TRACE_TABLES.executions[1]),
    tableStat(db, EVENT_TABLES.events[0]),
  ]);
  return {
    span: perRow([spans], spans.rows),
    execution: perRow([executions, search], executions.rows),
    event: perRow([events], events.rows),
  };
}

/** A workspace's rows of one agent on one UTC day (executions by start, events by their time). */
export type UsageRow = { agent: string; day: string; executions: number; spans: number; events: number };

/**
 * The workspace's row counts per agent and day. `eventsSince`: events before it are not counted
 * (rollups keep their history after raw events expire under retention; spans go with their
 * executions, so executions need no such bound).
 */
export async function workspaceRows(db: Db, workspaceId: string, eventsSince: Date | null): Promise<UsageRow[]> {
  const [traces, events] = await Promise.all([
    db.prisma.$queryRawUnsafe<{ agent: string; day: string; executions: Int8; spans: Int8 }[]>(
      `SELECT a.name AS agent, x.day, x.executions, x.spans
         FROM (SELECT e.agent_id, to_char(e.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                      count(*)::bigint AS executions, sum(e.span_count)::bigint AS spans
                 FROM executions e
                WHERE e.workspace_id = $1
                GROUP BY 1, 2) x
         JOIN agents a ON a.workspace_id = $1 AND a.id = x.agent_id`,
      workspaceId,
    ),
    db.prisma.$queryRawUnsafe<{ agent: string; day: string; events: Int8 }[]>(
      `SELECT a.name AS agent, x.day, x.events
         FROM (SELECT r.agent_id, to_char(r.hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, sum(r.n)::bigint AS events
                 FROM event_rollups r
                WHERE r.workspace_id = $1 AND r.kind = 0 AND r.dim = ''
                  AND ($2::timestamptz IS NULL OR r.hour >= $2::timestamptz)
                GROUP BY 1, 2) x
         JOIN agents a ON a.workspace_id = $1 AND a.id = x.agent_id`,
      workspaceId,
      eventsSince,
    ),
  ]);
  const rows = new Map<string, UsageRow>();
  const row = (agent: string, day: string) => {
    const key = `${agent}\u0000${day}`;
    const r = rows.get(key) ?? { agent, day, executions: 0, spans: 0, events: 0 };
    rows.set(key, r);
    return r;
  };
  for (const t of traces) {
    const r = row(t.agent, t.day);
    r.executions += int8(t.executions) ?? 0;
    r.spans += int8(t.spans) ?? 0;
  }
  for (const e of events) row(e.agent, e.day).events += Math.max(0, int8(e.events) ?? 0);
  return [...rows.values()];
}

const traceBytes = (r: UsageRow, size: RowSizes) => r.spans * size.span + r.executions * size.execution;
const eventBytes = (r: UsageRow, size: RowSizes) => r.events * size.event;

/**
 * Bytes per UTC day over the last USAGE_DAYS days, oldest first, days without data left out.
 * Estimated from the day's rows today; the one function to replace when per-day bytes come from
 * the time partitions' sizes (each day's partition size times this workspace's share of its rows).
 */
export async function bytesByDay(
  _db: Db,
  _workspaceId: string,
  rows: UsageRow[],
  size: RowSizes,
  now: Date,
): Promise<DataUsage["byDay"]> {
  const first = new Date(now.getTime() - (USAGE_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const days = new Map<string, { day: string; bytes: number; spans: number; events: number }>();
  for (const r of rows) {
    if (r.day < first) continue;
    const d = days.get(r.day) ?? { day: r.day, bytes: 0, spans: 0, events: 0 };
    days.set(r.day, d);
    d.bytes += traceBytes(r, size) + eventBytes(r, size);
    d.spans += r.spans;
    d.events += r.events;
  }
  return [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1)).map((d) => ({ ...d, bytes: Math.round(d.bytes) }));
}

/** The whole database's size on disk (the installation's budget is measured against it). */
export async function databaseBytes(db: Db): Promise<number> {
  const [r] = await db.prisma.$queryRawUnsafe<{ bytes: Int8 }[]>(
    "SELECT pg_database_size(current_database())::bigint AS bytes",
  );
  return int8(r?.bytes) ?? 0;
}

/** Estimated bytes of a workspace's data: in total, per agent (all time) and per day (recent days). */
export async function workspaceUsage(
  db: Db,
  workspaceId: string,
  opts: { eventsRetentionDays?: number | null; now?: Date } = {},
): Promise<DataUsage> {
  const now = opts.now ?? new Date();
  const eventsSince = opts.eventsRetentionDays ? new Date(now.getTime() - opts.eventsRetentionDays * 86_400_000) : null;
  // The one pass over the workspace's rows is read-only: a replica takes it when there is one.
  // The catalog figures come from the primary (a never-analyzed table is analyzed there).
  const [size, rows, dbBytes] = await Promise.all([
    rowSizes(db),
    readFrom(db, workspaceId, (read) => workspaceRows(read, workspaceId, eventsSince)),
    databaseBytes(db),
  ]);
  const agents = new Map<string, { agent: string; bytes: number; executions: number; spans: number; events: number }>();
  let tracesBytes = 0;
  let eventsBytes = 0;
  for (const r of rows) {
    const a = agents.get(r.agent) ?? { agent: r.agent, bytes: 0, executions: 0, spans: 0, events: 0 };
    agents.set(r.agent, a);
    const t = traceBytes(r, size);
    const e = eventBytes(r, size);
    tracesBytes += t;
    eventsBytes += e;
    a.bytes += t + e;
    a.executions += r.executions;
    a.spans += r.spans;
    a.events += r.events;
  }
  const byAgent = [...agents.values()]
    .map((a) => ({ ...a, bytes: Math.round(a.bytes) }))
    .sort((a, b) => b.bytes - a.bytes || a.agent.localeCompare(b.agent));
  return {
    totalBytes: Math.round(tracesBytes) + Math.round(eventsBytes),
    tracesBytes: Math.round(tracesBytes),
    eventsBytes: Math.round(eventsBytes),
    byAgent,
    byDay: await bytesByDay(db, workspaceId, rows, size, now),
    databaseBytes: dbBytes,
    estimated: true,
    computedAt: now.toISOString(),
  };
}

/**
 * How long a computed usage is reused in this process. On a workspace of a million executions the
 * computation takes seconds (docs/performance.md › Settings › Data usage), and the storage banner
 * asks for it on every full page load of every member.
 */
export const USAGE_FRESH_MS = 60_000;

type CachedUsage = { at: number; key: string; value: Promise<DataUsage> };
const usageCache = processGlobal("__runlensUsageCache", () => new Map<string, CachedUsage>());

/**
 * `workspaceUsage`, reused for USAGE_FRESH_MS per workspace in this process; concurrent callers
 * share one computation. `refresh` computes anew (after a settings change, on the page's own save).
 */
export function cachedWorkspaceUsage(
  db: Db,
  workspaceId: string,
  opts: { eventsRetentionDays?: number | null; refresh?: boolean } = {},
): Promise<DataUsage> {
  const key = String(opts.eventsRetentionDays ?? "");
  const hit = usageCache.get(workspaceId);
  if (hit && !opts.refresh && hit.key === key && Date.now() - hit.at < USAGE_FRESH_MS) return hit.value;
  const value = workspaceUsage(db, workspaceId, { eventsRetentionDays: opts.eventsRetentionDays });
  const entry: CachedUsage = { at: Date.now(), key, value };
  usageCache.set(workspaceId, entry);
  // A failure is not kept: the next caller tries again.
  value.catch(() => {
    if (usageCache.get(workspaceId) === entry) usageCache.delete(workspaceId);
  });
  if (usageCache.size > 1000) usageCache.delete(usageCache.keys().next().value as string);
  return value;
}
