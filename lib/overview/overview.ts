import "server-only";
import type { Overview, OverviewQuery } from "../contracts/overview.ts";
import { OVERVIEW_TOP } from "../contracts/overview.ts";
import type { Db } from "../db/index.ts";
import { type Int8, int8 } from "../db/sql.ts";
import { assertPostgresTimezone } from "../metrics/timezones.ts";
import { ERROR_MESSAGE_CHARS, EXECUTION_SELECT, type ExecutionSqlRow, fromSqlRow } from "../traces/executions.ts";

type Totals = {
  executions: Int8;
  errors: Int8;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  tokens: Int8 | string | null;
  cost: number | null;
};
type SeriesRow = Omit<Totals, "p90" | "p99"> & { bucket: Date };

const num = (v: number | string | bigint | null | undefined) => (v === null || v === undefined ? null : Number(v));

/**
 * The overview of a workspace's executions in [from, to): counts, error rate, duration percentiles,
 * tokens and cost, the same per bucket of `interval` in the viewer's time zone, the most frequent
 * errors, and the slowest and costliest executions. Read from `executions` (one row per run, its
 * duration, tokens and cost rolled up at ingest) over the index on (workspace_id, started_at); exact
 * percentiles (percentile_cont), not estimates.
 */
export async function getOverview(db: Db, workspaceId: string, q: OverviewQuery): Promise<Overview> {
  await assertPostgresTimezone(db, q.timezone);
  const params: unknown[] = [workspaceId, q.from.toISOString(), q.to.toISOString()];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ["e.workspace_id = $1", "e.started_at >= $2::timestamptz", "e.started_at < $3::timestamptz"];
  if (q.agent) where.push(`a.name = ${p(q.agent)}`);
  const scope = `FROM executions e JOIN agents a ON a.id = e.agent_id WHERE ${where.join(" AND ")}`;
  const measures = `count(*) AS executions, count(*) FILTER (WHERE e.status = 'error') AS errors,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY e.duration_ms) AS p50,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY e.duration_ms) AS p95,
    sum(e.tokens_total) AS tokens, sum(e.cost) AS cost`;
  const query = <R>(sql: string, extra: unknown[] = []) => db.prisma.$queryRawUnsafe<R[]>(sql, ...params, ...extra);

  // The series' own parameters follow the shared ones: every statement gets exactly those it uses.
  const seriesParams: unknown[] = [];
  const s = (v: unknown) => {
    seriesParams.push(v);
    return `$${params.length + seriesParams.length}`;
  };
  const tz = s(q.timezone);
  // Every bucket of the range, empty ones included. Hours are absolute, from the local hour boundary
  // of `from` (right for :30 zones); days, weeks and months are calendar buckets of local time.
  let buckets: string;
  let bucketed: string;
  if (q.interval === "hour") {
    const origin = `(date_trunc('hour', $2::timestamptz AT TIME ZONE ${tz}) AT TIME ZONE ${tz})`;
    buckets = `SELECT generate_series(${origin}, $3::timestamptz - interval '1 microsecond', interval '1 hour') AS bucket`;
    bucketed = `date_bin(interval '1 hour', e.started_at, ${origin})`;
  } else {
    const unit = s(q.interval);
    buckets = `SELECT generate_series(date_trunc(${unit}, $2::timestamptz AT TIME ZONE ${tz}),
        date_trunc(${unit}, ($3::timestamptz - interval '1 microsecond') AT TIME ZONE ${tz}), ${s(`1 ${q.interval}`)}::interval)
        AT TIME ZONE ${tz} AS bucket`;
    bucketed = `(date_trunc(${unit}, e.started_at AT TIME ZONE ${tz}) AT TIME ZONE ${tz})`;
  }

  const [totals, series, topErrors, slowest, costliest] = await Promise.all([
    query<Totals>(`SELECT ${measures},
        percentile_cont(0.9) WITHIN GROUP (ORDER BY e.duration_ms) AS p90,
        percentile_cont(0.99) WITHIN GROUP (ORDER BY e.duration_ms) AS p99 ${scope}`),
    query<SeriesRow>(
      `WITH buckets AS (${buckets}), agg AS (SELECT ${bucketed} AS bucket, ${measures} ${scope} GROUP BY 1)
      SELECT b.bucket, a.executions, a.errors, a.p50, a.p95, a.tokens, a.cost
      FROM buckets b LEFT JOIN agg a ON a.bucket = b.bucket ORDER BY b.bucket`,
      seriesParams,
    ),
    query<{ name: string; message: string; count: Int8; last_at: Date }>(
      `SELECT COALESCE(e.error->>'name', 'Error') AS name, left(COALESCE(e.error->>'message', ''), ${ERROR_MESSAGE_CHARS}) AS message,
         count(*) AS count, max(e.started_at) AS last_at
       ${scope} AND e.status = 'error' GROUP BY 1, 2 ORDER BY 3 DESC, 4 DESC LIMIT ${OVERVIEW_TOP}`,
    ),
    query<ExecutionSqlRow>(
      `${EXECUTION_SELECT} WHERE ${where.join(" AND ")} AND e.duration_ms IS NOT NULL
       ORDER BY e.duration_ms DESC, e.id LIMIT ${OVERVIEW_TOP}`,
    ),
    query<ExecutionSqlRow>(
      `${EXECUTION_SELECT} WHERE ${where.join(" AND ")} AND e.cost IS NOT NULL ORDER BY e.cost DESC, e.id LIMIT ${OVERVIEW_TOP}`,
    ),
  ]);
  const t = totals[0];
  const executions = int8(t.executions) ?? 0;
  const errors = int8(t.errors) ?? 0;
  return {
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    interval: q.interval,
    executions,
    errors,
    errorRate: executions ? errors / executions : null,
    latency: { p50: num(t.p50), p90: num(t.p90), p95: num(t.p95), p99: num(t.p99) },
    tokens: num(t.tokens) ?? 0,
    cost: num(t.cost),
    series: series.map((r) => ({
      bucket: new Date(r.bucket).toISOString(),
      executions: int8(r.executions) ?? 0,
      errors: int8(r.errors) ?? 0,
      p50: num(r.p50),
      p95: num(r.p95),
      tokens: num(r.tokens) ?? 0,
      cost: num(r.cost),
    })),
    topErrors: topErrors.map((r) => ({
      name: r.name,
      message: r.message,
      count: int8(r.count) ?? 0,
      lastAt: new Date(r.last_at).toISOString(),
    })),
    slowest: slowest.map(fromSqlRow),
    costliest: costliest.map(fromSqlRow),
  };
}
