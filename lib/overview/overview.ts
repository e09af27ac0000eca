import "server-only";
import type { Overview, OverviewQuery } from "../contracts/overview.ts";
import { OVERVIEW_TOP } from "../contracts/overview.ts";
import type { Db } from "../db/index.ts";
import { readFrom } from "../db/replicas.ts";
import { type Int8, int8 } from "../db/sql.ts";
import { assertPostgresTimezone } from "../metrics/timezones.ts";
import { ERROR_MESSAGE_CHARS, EXECUTION_SELECT, type ExecutionSqlRow, fromSqlRow } from "../traces/executions.ts";
import { LATENCY_RELATIVE_ERROR, percentiles } from "./histogram.ts";
import { bucketSql, rollupRowsSql, sqlParams } from "./rollup-sql.ts";
import { queryRollups } from "./rollups.ts";
import { costOf, mergeSums, newSums, type RollupRow, sumsByKey } from "./sums.ts";

const QS = [0.5, 0.9, 0.95, 0.99];

/**
 * One grouping of the range's rollup rows (lib/overview/rollup-sql.ts): per series bucket or agent
 * of the executions, or per model of their LLM calls, and per histogram bucket.
 */
function groupedSql(workspaceId: string, q: OverviewQuery, by: "series" | "agent" | "model") {
  const { values, p } = sqlParams(workspaceId);
  const agents = q.agent
    ? { id: `(SELECT id FROM agents WHERE workspace_id = $1 AND name = ${p(q.agent)})` }
    : by === "agent"
      ? { each: true as const }
      : { all: true as const };
  const rows = rollupRowsSql(q, p, {
    kind: by === "model" ? 1 : 0,
    agents,
    bucketOf: by === "series" ? bucketSql(q, p).bucketOf : undefined,
  });
  const key = by === "series" ? "u.sb" : by === "agent" ? "u.agent_id" : "u.model";
  const grouped = `SELECT ${key} AS key, u.bucket, sum(u.n) AS n, sum(u.errors) AS errors, sum(u.tokens) AS tokens,
      sum(u.cost) AS cost, sum(u.priced) AS priced
    FROM (${rows}) u GROUP BY 1, 2`;
  // Agents by name, looked up once per group rather than per row.
  const sql =
    by === "agent"
      ? `SELECT a.name AS key, g.bucket, g.n, g.errors, g.tokens, g.cost, g.priced
         FROM (${grouped}) g JOIN agents a ON a.id = g.key`
      : grouped;
  return { sql, values };
}

/**
 * The overview of a workspace's executions in [from, to): counts, error rate, duration percentiles,
 * tokens and cost, the same per bucket of `interval` in the viewer's time zone and per agent, LLM
 * call latency per model, the most frequent errors, and the slowest and costliest executions.
 * Counts, sums and percentiles come from the rollups (lib/overview/rollup-sql.ts); percentiles are nearest-rank
 * estimates within LATENCY_RELATIVE_ERROR. The lists read executions over the index on
 * (workspace_id, started_at).
 */
export function getOverview(db: Db, workspaceId: string, q: OverviewQuery): Promise<Overview> {
  return readFrom(db, workspaceId, (db) => overviewOn(db, workspaceId, q));
}

async function overviewOn(db: Db, workspaceId: string, q: OverviewQuery): Promise<Overview> {
  await assertPostgresTimezone(db, q.timezone);
  const list = sqlParams(workspaceId, q.from.toISOString(), q.to.toISOString());
  const where = ["e.workspace_id = $1", "e.started_at >= $2::timestamptz", "e.started_at < $3::timestamptz"];
  if (q.agent) where.push(`a.name = ${list.p(q.agent)}`);
  const scope = `FROM executions e JOIN agents a ON a.id = e.agent_id WHERE ${where.join(" AND ")}`;
  const query = <R>(sql: string, values: unknown[] = list.values) => db.prisma.$queryRawUnsafe<R[]>(sql, ...values);
  const series = sqlParams();
  const buckets = bucketSql(q, series.p).buckets();
  const bySeries = groupedSql(workspaceId, q, "series");
  const byAgent = groupedSql(workspaceId, q, "agent");
  const byModel = groupedSql(workspaceId, q, "model");

  const [bucketRows, [seriesRows, agentRows, modelRows], topErrors, slowest, costliest] = await Promise.all([
    query<{ bucket: Date }>(`SELECT bucket FROM (${buckets}) b ORDER BY 1`, series.values),
    queryRollups<RollupRow>(db, [bySeries, byAgent, byModel]),
    query<{ name: string; message: string; count: Int8; last_at: Date }>(
      `SELECT COALESCE(e.error->>'name', 'Error') AS name, left(COALESCE(e.error->>'message', ''), ${ERROR_MESSAGE_CHARS}) AS message,
         count(*) AS count, max(e.started_at) AS last_at
       ${scope} AND e.status = 'error' GROUP BY 1, 2 ORDER BY 3 DESC, 4 DESC LIMIT ${OVERVIEW_TOP}`,
    ),
    query<ExecutionSqlRow>(
      `${EXECUTION_SELECT} WHERE ${where.join(" AND ")} AND e.duration_ms IS NOT NULL
       ORDER BY e.duration_ms DESC, e.id DESC LIMIT ${OVERVIEW_TOP}`,
    ),
    query<ExecutionSqlRow>(
      `${EXECUTION_SELECT} WHERE ${where.join(" AND ")} AND e.cost IS NOT NULL ORDER BY e.cost DESC, e.id DESC LIMIT ${OVERVIEW_TOP}`,
    ),
  ]);

  const perBucket = sumsByKey(seriesRows);
  const perAgent = sumsByKey(agentRows);
  const perModel = sumsByKey(modelRows);
  const total = newSums();
  for (const g of perBucket.values()) mergeSums(total, g);
  const [p50, p90, p95, p99] = percentiles(total.hist, QS);
  return {
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    interval: q.interval,
    executions: total.n,
    errors: total.errors,
    errorRate: total.n ? total.errors / total.n : null,
    latency: { p50, p90, p95, p99 },
    latencyError: LATENCY_RELATIVE_ERROR,
    tokens: total.tokens,
    cost: costOf(total),
    series: bucketRows.map(({ bucket }) => {
      const g = perBucket.get(new Date(bucket).toISOString()) ?? newSums();
      const [b50, b95] = percentiles(g.hist, [0.5, 0.95]);
      return {
        bucket: new Date(bucket).toISOString(),
        executions: g.n,
        errors: g.errors,
        p50: b50,
        p95: b95,
        tokens: g.tokens,
        cost: costOf(g),
      };
    }),
    agents: [...perAgent]
      .filter(([, g]) => g.n > 0)
      .sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]))
      .map(([agent, g]) => {
        const [a50, a95] = percentiles(g.hist, [0.5, 0.95]);
        return { agent, executions: g.n, errors: g.errors, p50: a50, p95: a95, tokens: g.tokens, cost: costOf(g) };
      }),
    models: [...perModel]
      .filter(([, g]) => g.n > 0)
      .sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]))
      .map(([model, g]) => {
        const [m50, m90, m95, m99] = percentiles(g.hist, QS);
        return { model, calls: g.n, p50: m50, p90: m90, p95: m95, p99: m99 };
      }),
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
