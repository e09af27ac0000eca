import "server-only";
import {
  type BuiltinEvent,
  isPercentile,
  type MetricQuery,
  type MetricResult,
  ZERO_WHEN_EMPTY,
} from "../contracts/metrics.ts";
import type { Db } from "../db/index.ts";
import { percentiles } from "../overview/histogram.ts";
import { bucketSql, rollupRowsSql, sqlParams } from "../overview/rollup-sql.ts";
import { queryRollups } from "../overview/rollups.ts";
import { mergeSums, newSums, type RollupRow, type RollupSums, sumsByKey } from "../overview/sums.ts";

/** The value of a built-in measure over a group of rollup rows (null where there is nothing to measure). */
function measure(q: MetricQuery, s: RollupSums): number | null {
  if (isPercentile(q.aggregation)) return percentiles(s.hist, [Number(q.aggregation.slice(1)) / 100])[0];
  switch (q.aggregation) {
    case "count":
      return s.n;
    case "rate":
      return s.n ? (100 * s.errors) / s.n : null;
    case "sum":
      return q.property === "cost" ? s.cost : s.tokens;
    case "avg":
      if (q.property === "cost") return s.priced ? s.cost / s.priced : null;
      return s.n ? s.tokens / s.n : null;
    default:
      throw new Error(`${q.aggregation} of ${q.event} is refused by the contract`);
  }
}

/**
 * A Metrics query over a built-in measure (BUILTIN_EVENTS: `$executions`, `$llm_calls` of the
 * query's agent), answered from execution_rollups as the overview is: counts, error rate, cost and
 * token sums exact, percentiles within LATENCY_RELATIVE_ERROR; series in the viewer's local buckets.
 */
export async function builtinMetricQuery(db: Db, workspaceId: string, q: MetricQuery): Promise<MetricResult> {
  const event = q.event as BuiltinEvent;
  const kind = event === "$llm_calls" ? 1 : 0;
  const { values, p } = sqlParams(workspaceId);
  const buckets = q.interval ? bucketSql({ ...q, interval: q.interval }, p) : undefined;
  const rows = rollupRowsSql(q, p, {
    kind,
    agents: { id: `(SELECT id FROM agents WHERE workspace_id = $1 AND name = ${p(q.agent)})` },
    bucketOf: buckets?.bucketOf,
  });
  const key = buckets ? "u.sb" : q.groupBy === "model" ? "u.model" : "NULL::text";
  const [grouped] = await queryRollups<RollupRow>(db, [
    {
      sql: `SELECT ${key} AS key, u.bucket, sum(u.n) AS n, sum(u.errors) AS errors, sum(u.tokens) AS tokens,
         sum(u.cost) AS cost, sum(u.priced) AS priced
       FROM (${rows}) u GROUP BY 1, 2`,
      values,
    },
  ]);
  const groups = sumsByKey(grouped);
  const empty = ZERO_WHEN_EMPTY.has(q.aggregation) ? 0 : null;
  const measured = (s: RollupSums | undefined) => (s && s.n > 0 ? measure(q, s) : empty);

  if (buckets) {
    const list = sqlParams();
    const starts = await db.prisma.$queryRawUnsafe<{ bucket: Date }[]>(
      `SELECT bucket FROM (${bucketSql({ ...q, interval: q.interval! }, list.p).buckets()}) b ORDER BY 1`,
      ...list.values,
    );
    return {
      series: starts.map(({ bucket }) => {
        const iso = new Date(bucket).toISOString();
        return { bucket: iso, value: measured(groups.get(iso)) };
      }),
    };
  }
  if (q.groupBy) {
    let list = [...groups]
      .filter(([, s]) => s.n > 0)
      .map(([k, s]) => ({ key: k || "(none)", value: measure(q, s), s }))
      .sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity) || a.key.localeCompare(b.key));
    if (q.top && list.length > q.top) {
      const rest = newSums();
      for (const g of list.slice(q.top)) mergeSums(rest, g.s);
      list = [...list.slice(0, q.top), { key: "other", value: measure(q, rest), s: rest }];
    }
    return { groups: list.map(({ key, value }) => ({ key, value })) };
  }
  const all = newSums();
  for (const s of groups.values()) mergeSums(all, s);
  return { value: measured(all) };
}
