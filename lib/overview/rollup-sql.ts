import "server-only";

/** What bucketing needs of a query (the overview's or a metric query's). */
export type BucketQuery = { from: Date; to: Date; timezone: string; interval: "hour" | "day" | "week" | "month" };

// SQL shared by the readers of execution_rollups (the overview, Metrics' built-in measures).

/** Parameters of one statement: `p(value)` appends a value and returns its placeholder. */
export function sqlParams(...initial: unknown[]) {
  const values = [...initial];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  return { values, p };
}

/** Rollup slots are 15 minutes (migration 20261206120825_execution_rollups). */
const SLOT_MS = 15 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * SQL of the bucket starts of [from, to) in the viewer's zone, empty ones included, and of the
 * bucket a timestamp falls in. Hours are absolute, from the local hour boundary of `from` (right for
 * :30 zones); days, weeks and months are calendar buckets of local time. Placeholders are added
 * (by `p`) only for what the SQL used so far refers to.
 */
export function bucketSql(q: BucketQuery, p: (v: unknown) => string) {
  const once = (f: () => string) => {
    let ref: string | undefined;
    return () => (ref ??= f());
  };
  const tz = once(() => p(q.timezone));
  const from = once(() => `${p(q.from.toISOString())}::timestamptz`);
  const to = once(() => `${p(q.to.toISOString())}::timestamptz`);
  if (q.interval === "hour") {
    const origin = once(() => `(date_trunc('hour', ${from()} AT TIME ZONE ${tz()}) AT TIME ZONE ${tz()})`);
    return {
      buckets: () =>
        `SELECT generate_series(${origin()}, ${to()} - interval '1 microsecond', interval '1 hour') AS bucket`,
      bucketOf: (t: string) => `date_bin(interval '1 hour', ${t}, ${origin()})`,
    };
  }
  const unit = once(() => p(q.interval));
  return {
    buckets: () => `SELECT generate_series(date_trunc(${unit()}, ${from()} AT TIME ZONE ${tz()}),
        date_trunc(${unit()}, (${to()} - interval '1 microsecond') AT TIME ZONE ${tz()}), ${p(`1 ${q.interval}`)}::interval)
        AT TIME ZONE ${tz()} AS bucket`,
    bucketOf: (t: string) => `(date_trunc(${unit()}, ${t} AT TIME ZONE ${tz()}) AT TIME ZONE ${tz()})`,
  };
}

/**
 * Rollup rows (t, agent_id, kind, model, bucket, n, errors, tokens, cost, priced) of the executions
 * that started in [from, to): whole 15-minute slots from execution_rollups, the parts of a slot at
 * the range's ends from the executions themselves (as the triggers would roll them up), so a range
 * counts exactly what started in it. `agentIds`: SQL of the agent ids to keep (all when undefined).
 * Parameters from `p`; `$1` is the workspace.
 */
export function rollupRowsSql(q: { from: Date; to: Date }, p: (v: unknown) => string, agentIds?: string): string {
  const from = q.from.getTime();
  const to = q.to.getTime();
  const lo = Math.ceil(from / SLOT_MS) * SLOT_MS;
  const hi = Math.floor(to / SLOT_MS) * SLOT_MS;
  const whole = hi > lo;
  const ends = (
    whole
      ? [
          [from, lo],
          [hi, to],
        ]
      : [[from, to]]
  ).filter(([a, b]) => b > a);
  const agent = agentIds ? ` AND agent_id IN ${agentIds}` : "";
  const atEnds = ends.length
    ? ends
        .map(([a, b]) => `(x.started_at >= ${p(iso(a))}::timestamptz AND x.started_at < ${p(iso(b))}::timestamptz)`)
        .join(" OR ")
    : "false";
  const slots = whole ? `r.slot >= ${p(iso(lo))}::timestamptz AND r.slot < ${p(iso(hi))}::timestamptz` : "false";
  return `
    SELECT r.slot AS t, r.agent_id, r.kind, r.model, r.bucket, r.n, r.errors, r.tokens, r.cost, r.priced
    FROM execution_rollups r WHERE r.workspace_id = $1 AND ${slots}${agent}
    UNION ALL
    SELECT x.started_at, x.agent_id, 0::smallint, ''::text, runlens_latency_bucket(x.duration_ms), 1::bigint,
      (x.status = 'error')::int::bigint, x.tokens_total, COALESCE(x.cost, 0), (x.cost IS NOT NULL)::int::bigint
    FROM executions x WHERE x.workspace_id = $1 AND (${atEnds})${agent}
    UNION ALL
    SELECT x.started_at, x.agent_id, 1::smallint, m.key, b.key::smallint, b.value::bigint, 0, 0, 0, 0
    FROM executions x
    CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(x.llm_latency) = 'object' THEN x.llm_latency ELSE '{}'::jsonb END) m
    CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(m.value) = 'object' THEN m.value ELSE '{}'::jsonb END) b
    WHERE x.workspace_id = $1 AND (${atEnds})${agent}`;
}
