import "server-only";
import {
  isBuiltinEvent,
  type MetricHistory,
  type MetricQuery,
  type MetricResult,
  ZERO_WHEN_EMPTY,
} from "../contracts/metrics.ts";
import { retentionCutoff } from "../data/retention.ts";
import type { Db } from "../db/index.ts";
import { readFrom } from "../db/replicas.ts";
import { builtinMetricQuery } from "./builtin.ts";
import { ROLLUP_MAX_STRING } from "./rollups.ts";
import { assertPostgresTimezone, hourAlignedZone } from "./timezones.ts";

/**
 * Metric cards' queries in SQL over track_events (index: workspace_id, agent_id, name, timestamp).
 *
 *   count           events (where: a filter)
 *   rate            100 * events with where.property = where.equals / events
 *   sum, avg        over numeric values of `property`; other values are ignored
 *   distinct_count  distinct values of `property` (JSON-typed: 1 and "1" differ)
 *
 * Buckets start at local midnight/week/month of `timezone` (date_trunc on local time) and every
 * bucket in the range is returned, empty ones as 0 (count, sum, distinct) or null (avg, rate).
 *
 * Where the aggregation allows, whole hours are read from event_rollups and only the partial hours
 * at both ends of the range from raw events (see planMetricQuery); the two are combined in one
 * statement, so the answer is the same exact number the raw query gives.
 */
export const NONE_KEY = "(none)";
export const OTHER_KEY = "other";

function aggregateSql(q: MetricQuery, p: (v: unknown) => string): string {
  const prop = q.property ? `e.properties -> ${p(q.property)}` : "NULL";
  const numeric = `CASE WHEN jsonb_typeof(${prop}) = 'number' THEN (${prop})::text::numeric END`;
  switch (q.aggregation) {
    case "count":
      return "count(*)::float8";
    case "sum":
      return `COALESCE(sum(${numeric}), 0)::float8`;
    case "avg":
      return `avg(${numeric})::float8`;
    case "distinct_count":
      return `count(DISTINCT ${prop})::float8`;
    case "rate": {
      const w = q.where!;
      return `CASE WHEN count(*) = 0 THEN NULL ELSE (100.0 * count(*) FILTER (WHERE e.properties -> ${p(w.property)} = ${p(JSON.stringify(w.equals))}::jsonb) / count(*))::float8 END`;
    }
    default:
      throw new Error(`${q.aggregation} is answered by lib/metrics/builtin.ts`);
  }
}

const HOUR = 3_600_000;

export type QueryPlan =
  | { source: "rollup" /** whole hours [hoursFrom, hoursTo) come from rollups */; hoursFrom: Date; hoursTo: Date }
  | { source: "raw"; reason: string }
  /** A built-in measure, read from execution_rollups (lib/metrics/builtin.ts). */
  | { source: "execution_rollups" };
const BUILTIN_PLAN: QueryPlan = { source: "execution_rollups" };

const categorical = (v: unknown) => typeof v === "boolean" || (typeof v === "string" && v.length <= ROLLUP_MAX_STRING);

/** Whether rollups can answer `q` exactly, and over which whole hours. */
export function planMetricQuery(q: MetricQuery): QueryPlan {
  const raw = (reason: string): QueryPlan => ({ source: "raw", reason });
  if (q.aggregation === "distinct_count" && (q.where || q.groupBy)) return raw("filtered distinct_count reads events");
  if (q.where && !categorical(q.where.equals)) return raw("the filter value is not rolled up");
  if (q.where && q.aggregation !== "rate" && q.aggregation !== "count") return raw("filtered sum and avg read events");
  if (q.groupBy && (q.aggregation !== "count" || q.where)) return raw("only plain counts group from rollups");
  const from = q.from.getTime();
  const to = q.to.getTime();
  const hoursFrom = Math.ceil(from / HOUR) * HOUR;
  const hoursTo = Math.floor(to / HOUR) * HOUR;
  if (hoursTo <= hoursFrom) return raw("no whole hour in range");
  // Only buckets are local: without an interval the zone plays no part.
  if (q.interval && !hourAlignedZone(q.timezone, from, to)) return raw("the time zone is not hour-aligned");
  return { source: "rollup", hoursFrom: new Date(hoursFrom), hoursTo: new Date(hoursTo) };
}

/**
 * Aggregates over the rows of rollupParts: n events, m matching, nn numeric values, ns their sum,
 * dval a value as JSON text (distinct_count).
 */
function partsAggregateSql(q: MetricQuery): string {
  switch (q.aggregation) {
    case "count":
      return "sum(e.n)::float8";
    case "rate":
      return "CASE WHEN sum(e.n) = 0 THEN NULL ELSE (100.0 * sum(e.m) / sum(e.n))::float8 END";
    case "sum":
      return "COALESCE(sum(e.ns), 0)::float8";
    case "avg":
      return "(sum(e.ns) / NULLIF(sum(e.nn), 0))::float8";
    case "distinct_count":
      return "count(DISTINCT e.dval)::float8";
    default:
      throw new Error(`${q.aggregation} is answered by lib/metrics/builtin.ts`);
  }
}

/**
 * One row source (timestamp, n, m, nn, ns, gkey, dval) for a rollup plan: rollup rows for the whole hours,
 * raw events for the partial hours at both ends. `rawWhere` is the raw query's WHERE list.
 */
function rollupParts(
  q: MetricQuery,
  plan: Extract<QueryPlan, { source: "rollup" }>,
  rawWhere: string[],
  p: (v: unknown) => string,
): string {
  const h1 = `${p(plan.hoursFrom.toISOString())}::timestamptz`;
  const h2 = `${p(plan.hoursTo.toISOString())}::timestamptz`;
  const rollup = (dim: string, kind: number, val: string | null, cols: string) =>
    `SELECT r.hour AS timestamp, ${cols} FROM event_rollups r
       WHERE r.workspace_id = $1 AND r.agent_id = $2 AND r.name = $3 AND r.dim = ${dim} AND r.kind = ${kind}
         ${val ? `AND r.val = ${val}` : ""} AND r.hour >= ${h1} AND r.hour < ${h2}`;
  const cols = (n: string, m: string, nn: string, ns: string, gkey: string, dval = "NULL") =>
    `${n}::bigint AS n, ${m}::bigint AS m, ${nn}::bigint AS nn, ${ns}::numeric AS ns, ${gkey}::text AS gkey, ${dval}::text AS dval`;
  const jsonText = (v: unknown) => `(${p(JSON.stringify(v))}::jsonb)::text`;

  const parts: string[] = [];
  let edge: string;
  if (q.aggregation === "count" && q.groupBy) {
    const g = p(q.groupBy);
    const none = p(NONE_KEY);
    const label = "CASE WHEN jsonb_typeof(r.val::jsonb) = 'string' THEN r.val::jsonb #>> '{}' ELSE r.val END";
    // Events without the property: all events minus those with a value (other kinds are excluded by the plan check).
    parts.push(rollup(g, 1, null, cols("r.n", "0", "0", "NULL", label)));
    parts.push(rollup("''", 0, null, cols("r.n", "0", "0", "NULL", none)));
    parts.push(rollup(g, 1, null, cols("-r.n", "0", "0", "NULL", none)));
    edge = cols("1", "0", "0", "NULL", groupKeySql(q.groupBy, p));
  } else if (q.aggregation === "distinct_count") {
    // Values whose events were all replaced keep a row with n = 0: they are not values any more.
    parts.push(`${rollup(p(q.property!), 1, null, cols("r.n", "0", "0", "NULL", "NULL", "r.val"))} AND r.n > 0`);
    edge = cols("1", "0", "0", "NULL", "NULL", `(e.properties -> ${p(q.property!)})::text`);
  } else if (q.aggregation === "count") {
    if (q.where)
      parts.push(rollup(p(q.where.property), 1, jsonText(q.where.equals), cols("r.n", "0", "0", "NULL", "NULL")));
    else parts.push(rollup("''", 0, null, cols("r.n", "0", "0", "NULL", "NULL")));
    edge = cols("1", "0", "0", "NULL", "NULL");
  } else if (q.aggregation === "rate") {
    const w = q.where!;
    parts.push(rollup("''", 0, null, cols("r.n", "0", "0", "NULL", "NULL")));
    parts.push(rollup(p(w.property), 1, jsonText(w.equals), cols("0", "r.n", "0", "NULL", "NULL")));
    const match = `CASE WHEN e.properties -> ${p(w.property)} = ${p(JSON.stringify(w.equals))}::jsonb THEN 1 ELSE 0 END`;
    edge = cols("1", match, "0", "NULL", "NULL");
  } else {
    parts.push(rollup(p(q.property!), 2, null, cols("0", "0", "r.n", "r.num_sum", "NULL")));
    const prop = `e.properties -> ${p(q.property!)}`;
    edge = cols(
      "1",
      "0",
      `CASE WHEN jsonb_typeof(${prop}) = 'number' THEN 1 ELSE 0 END`,
      `CASE WHEN jsonb_typeof(${prop}) = 'number' THEN (${prop})::text::numeric END`,
      "NULL",
    );
  }
  // The partial hours at both ends, as two index ranges (an OR would scan the whole range).
  parts.push(
    `SELECT e.timestamp, ${edge} FROM track_events e WHERE ${rawWhere.join(" AND ")} AND e.timestamp < ${h1}`,
    `SELECT e.timestamp, ${edge} FROM track_events e WHERE ${rawWhere.join(" AND ")} AND e.timestamp >= ${h2}`,
  );
  return parts.join("\n UNION ALL \n");
}

/** The group label of an event: a string value as is, other JSON values as JSON text, none as "(none)". */
function groupKeySql(prop: string, p: (v: unknown) => string): string {
  const v = `e.properties -> ${p(prop)}`;
  return `COALESCE(CASE WHEN jsonb_typeof(${v}) = 'string' THEN e.properties ->> ${p(prop)} ELSE (${v})::text END, ${p(NONE_KEY)})`;
}

export async function runMetricQuery(db: Db, workspaceId: string, q: MetricQuery): Promise<MetricResult> {
  return (await executeMetricQuery(db, workspaceId, q)).result;
}

/**
 * Answers a metric query; `rollups: false` forces the raw plan (the reference in tests and
 * benchmarks). On a read replica when there is one (lib/db/replicas.ts).
 */
export function executeMetricQuery(
  db: Db,
  workspaceId: string,
  q: MetricQuery,
  opts: { rollups?: boolean } = {},
): Promise<{ result: MetricResult; plan: QueryPlan }> {
  return readFrom(db, workspaceId, async (db) => {
    const answer = await metricQueryOn(db, workspaceId, q, opts);
    if (answer.plan.source === "execution_rollups") return answer;
    const history = await expiredEvents(db, workspaceId, q.from, answer.plan);
    return history ? { ...answer, result: { ...answer.result, history } } : answer;
  });
}

/**
 * When the range starts before the raw events the workspace keeps (events_retention_days, applied
 * by lib/data/retention.ts): since when raw events are kept, and whether the answer's earlier part
 * came from the hourly rollups (which keep their history) or from raw events only (then incomplete).
 */
async function expiredEvents(
  db: Db,
  workspaceId: string,
  from: Date,
  plan: QueryPlan,
): Promise<MetricHistory | undefined> {
  const ws = await db.prisma.workspace.findUnique({
    where: { id: workspaceId },
    select: { eventsRetentionDays: true },
  });
  if (ws?.eventsRetentionDays == null) return undefined;
  const since = new Date(`${retentionCutoff(new Date(), ws.eventsRetentionDays)}T00:00:00Z`);
  if (from >= since) return undefined;
  return { rawEventsSince: since.toISOString(), answeredFrom: plan.source === "rollup" ? "rollups" : "raw" };
}

async function metricQueryOn(
  db: Db,
  workspaceId: string,
  q: MetricQuery,
  opts: { rollups?: boolean },
): Promise<{ result: MetricResult; plan: QueryPlan }> {
  await assertPostgresTimezone(db, q.timezone);
  if (isBuiltinEvent(q.event)) return { result: await builtinMetricQuery(db, workspaceId, q), plan: BUILTIN_PLAN };
  const agent = await db.prisma.agent.findUnique({
    where: { workspaceId_name: { workspaceId, name: q.agent } },
    select: { id: true },
  });
  const params: unknown[] = [workspaceId, agent?.id ?? "", q.event, q.from.toISOString(), q.to.toISOString()];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [
    "e.workspace_id = $1",
    "e.agent_id = $2",
    "e.name = $3",
    "e.timestamp >= $4::timestamptz",
    "e.timestamp < $5::timestamptz",
  ];
  // For rate, `where` is the numerator; for the other aggregations it filters.
  if (q.where && q.aggregation !== "rate")
    where.push(`e.properties -> ${p(q.where.property)} = ${p(JSON.stringify(q.where.equals))}::jsonb`);

  let plan: QueryPlan = opts.rollups === false ? { source: "raw", reason: "rollups off" } : planMetricQuery(q);
  const perValue = q.groupBy ?? (q.aggregation === "distinct_count" ? q.property : undefined);
  if (plan.source === "rollup" && perValue) {
    // Numbers, objects and long strings are not rolled up per value: such a property reads events.
    const [other] = await db.prisma.$queryRawUnsafe<{ found: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM event_rollups WHERE workspace_id = $1 AND agent_id = $2 AND name = $3
         AND dim = $4 AND kind IN (2, 3) AND hour >= $5::timestamptz AND hour < $6::timestamptz AND n <> 0) AS found`,
      workspaceId,
      agent?.id ?? "",
      q.event,
      perValue,
      plan.hoursFrom.toISOString(),
      plan.hoursTo.toISOString(),
    );
    if (other?.found) plan = { source: "raw", reason: "the property has values that are not rolled up" };
  }

  let from: string;
  let groupKey: string;
  if (plan.source === "rollup") {
    from = `FROM (${rollupParts(q, plan, where, p)}) e`;
    groupKey = "e.gkey";
  } else {
    from = `FROM track_events e WHERE ${where.join(" AND ")}`;
    groupKey = q.groupBy ? groupKeySql(q.groupBy, p) : "";
  }
  // Built when a statement uses it: every $n parameter must appear in the statement it is sent with.
  let aggregate: string | undefined;
  const agg = () => {
    aggregate ??= plan.source === "rollup" ? partsAggregateSql(q) : aggregateSql(q, p);
    return aggregate;
  };
  const query = <R>(sql: string, ...extra: unknown[]) => db.prisma.$queryRawUnsafe<R[]>(sql, ...params, ...extra);

  if (q.interval) {
    const tz = p(q.timezone);
    const empty = ZERO_WHEN_EMPTY.has(q.aggregation) ? 0 : null;
    let sql: string;
    if (q.interval === "hour") {
      // Hours are absolute: date_bin from the local hour boundary of `from` (right for :30 zones, and
      // the two 01:00s of a DST fall-back stay two buckets).
      const origin = `(date_trunc('hour', $4::timestamptz AT TIME ZONE ${tz}) AT TIME ZONE ${tz})`;
      sql = `WITH buckets AS (
               SELECT generate_series(${origin}, $5::timestamptz - interval '1 microsecond', interval '1 hour') AS bucket
             ), agg AS (
               SELECT date_bin(interval '1 hour', e.timestamp, ${origin}) AS bucket, ${agg()} AS value ${from} GROUP BY 1
             )
             SELECT b.bucket, a.value FROM buckets b LEFT JOIN agg a ON a.bucket = b.bucket ORDER BY b.bucket`;
    } else {
      // Days, weeks (ISO, from Monday) and months are calendar buckets of local time.
      const unit = p(q.interval);
      sql = `WITH buckets AS (
               SELECT generate_series(date_trunc(${unit}, $4::timestamptz AT TIME ZONE ${tz}),
                                      date_trunc(${unit}, ($5::timestamptz - interval '1 microsecond') AT TIME ZONE ${tz}),
                                      ${p(`1 ${q.interval}`)}::interval) AS local_start
             ), agg AS (
               SELECT date_trunc(${unit}, e.timestamp AT TIME ZONE ${tz}) AS local_start, ${agg()} AS value ${from} GROUP BY 1
             )
             SELECT (b.local_start AT TIME ZONE ${tz}) AS bucket, a.value
             FROM buckets b LEFT JOIN agg a ON a.local_start = b.local_start ORDER BY b.local_start`;
    }
    const rows = await query<{ bucket: Date; value: number | null }>(sql);
    return {
      plan,
      result: { series: rows.map((r) => ({ bucket: new Date(r.bucket).toISOString(), value: r.value ?? empty })) },
    };
  }

  if (q.groupBy) {
    // Rollup parts carry negative "(none)" rows: a group whose events net to zero is not a group.
    const having = plan.source === "rollup" ? "HAVING sum(e.n) > 0" : "";
    const rows = await query<{ key: string; value: number | null }>(
      `SELECT ${groupKey} AS key, ${agg()} AS value ${from} GROUP BY 1 ${having} ORDER BY 2 DESC NULLS LAST, 1`,
    );
    let groups = rows.map((r) => ({ key: r.key, value: r.value }));
    if (q.top && groups.length > q.top) {
      const kept = groups.slice(0, q.top);
      let other: number | null;
      if (plan.source === "rollup") {
        // Counts add up: "other" is the sum of the groups left out.
        other = groups.slice(q.top).reduce((s, g) => s + (g.value ?? 0), 0);
      } else {
        // "other" is the same aggregation over the events of every other group, recomputed exactly.
        const [row] = await query<{ value: number | null }>(
          `SELECT ${agg()} AS value ${from} AND ${groupKey} <> ALL($${params.length + 1}::text[])`,
          kept.map((g) => g.key),
        );
        other = row?.value ?? null;
      }
      groups = [...kept, { key: OTHER_KEY, value: other }];
    }
    return { plan, result: { groups } };
  }

  // A single distinct count as a count of a DISTINCT subquery: hashed, where count(DISTINCT) sorts.
  const single =
    q.aggregation === "distinct_count"
      ? `SELECT count(*)::float8 AS value FROM (SELECT DISTINCT ${
          plan.source === "rollup" ? "e.dval" : `e.properties -> ${p(q.property!)}`
        } AS v ${from}) d WHERE d.v IS NOT NULL`
      : `SELECT ${agg()} AS value ${from}`;
  const [row] = await query<{ value: number | null }>(single);
  return { plan, result: { value: row?.value ?? (ZERO_WHEN_EMPTY.has(q.aggregation) ? 0 : null) } };
}
