import type { MetricQuery, MetricResult } from "../contracts/metrics.ts";
import type { Db } from "../db/index.ts";

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
  }
}

const EMPTY_IS_ZERO = new Set(["count", "sum", "distinct_count"]);

export async function runMetricQuery(db: Db, workspaceId: string, q: MetricQuery): Promise<MetricResult> {
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
  const agg = aggregateSql(q, p);
  const from = `FROM track_events e WHERE ${where.join(" AND ")}`;

  if (q.interval) {
    const tz = p(q.timezone);
    const empty = EMPTY_IS_ZERO.has(q.aggregation) ? 0 : null;
    let sql: string;
    if (q.interval === "hour") {
      // Hours are absolute: date_bin from the local hour boundary of `from` (right for :30 zones, and
      // the two 01:00s of a DST fall-back stay two buckets).
      const origin = `(date_trunc('hour', $4::timestamptz AT TIME ZONE ${tz}) AT TIME ZONE ${tz})`;
      sql = `WITH buckets AS (
               SELECT generate_series(${origin}, $5::timestamptz - interval '1 microsecond', interval '1 hour') AS bucket
             ), agg AS (
               SELECT date_bin(interval '1 hour', e.timestamp, ${origin}) AS bucket, ${agg} AS value ${from} GROUP BY 1
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
               SELECT date_trunc(${unit}, e.timestamp AT TIME ZONE ${tz}) AS local_start, ${agg} AS value ${from} GROUP BY 1
             )
             SELECT (b.local_start AT TIME ZONE ${tz}) AS bucket, a.value
             FROM buckets b LEFT JOIN agg a ON a.local_start = b.local_start ORDER BY b.local_start`;
    }
    const rows = await db.prisma.$queryRawUnsafe<{ bucket: Date; value: number | null }[]>(sql, ...params);
    return { series: rows.map((r) => ({ bucket: new Date(r.bucket).toISOString(), value: r.value ?? empty })) };
  }

  if (q.groupBy) {
    const key = `COALESCE(CASE WHEN jsonb_typeof(e.properties -> ${p(q.groupBy)}) = 'string' THEN e.properties ->> ${p(q.groupBy)} ELSE (e.properties -> ${p(q.groupBy)})::text END, ${p(NONE_KEY)})`;
    const rows = await db.prisma.$queryRawUnsafe<{ key: string; value: number | null }[]>(
      `SELECT ${key} AS key, ${agg} AS value ${from} GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1`,
      ...params,
    );
    let groups = rows.map((r) => ({ key: r.key, value: r.value }));
    if (q.top && groups.length > q.top) {
      // "other" is the same aggregation over the events of every other group, recomputed exactly.
      const kept = groups.slice(0, q.top);
      const otherParams = [...params, kept.map((g) => g.key)];
      const other = await db.prisma.$queryRawUnsafe<{ value: number | null }[]>(
        `SELECT ${agg} AS value ${from} AND ${key} <> ALL($${otherParams.length}::text[])`,
        ...otherParams,
      );
      groups = [...kept, { key: OTHER_KEY, value: other[0]?.value ?? null }];
    }
    return { groups };
  }

  const [row] = await db.prisma.$queryRawUnsafe<{ value: number | null }[]>(
    `SELECT ${agg} AS value ${from}`,
    ...params,
  );
  return { value: row?.value ?? (EMPTY_IS_ZERO.has(q.aggregation) ? 0 : null) };
}
