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

/** Which rollup rows: all agents together, each agent apart, or one agent (SQL of its id). */
export type AgentScope = { all: true } | { each: true } | { id: string };

const EPOCH = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";
const QUARTER_MS = 15 * 60_000;

/**
 * Rollup rows (sb, agent_id, kind, model, bucket, n, errors, tokens, cost, priced) of the executions
 * of `kind` that started in [from, to), `sb` the bucket `bucketOf` puts them in (null without it).
 * The range is covered by the fewest rollup rows: whole UTC days that lie in one bucket (tier 2),
 * else whole hours that do (tier 1), else 15-minute periods (tier 0, always in one bucket); the
 * parts of a period at the range's ends are read from the executions themselves (as the triggers
 * would roll them up), so a range counts exactly what started in it. Parameters from `p`; `$1` is
 * the workspace.
 */
export function rollupRowsSql(
  q: { from: Date; to: Date },
  p: (v: unknown) => string,
  opts: { kind: 0 | 1; agents: AgentScope; bucketOf?: (t: string) => string },
): string {
  const from = `${p(q.from.toISOString())}::timestamptz`;
  const to = `${p(q.to.toISOString())}::timestamptz`;
  // The parts of a 15-minute period at the range's ends (the whole range when it holds none):
  // two short index ranges of executions, not the whole range.
  const lo = Math.ceil(q.from.getTime() / QUARTER_MS) * QUARTER_MS;
  const hi = Math.floor(q.to.getTime() / QUARTER_MS) * QUARTER_MS;
  const at = (ms: number) => `${p(new Date(ms).toISOString())}::timestamptz`;
  const atEnds =
    hi > lo
      ? `(x.started_at >= ${from} AND x.started_at < ${at(lo)}) OR (x.started_at >= ${at(hi)} AND x.started_at < ${to})`
      : `x.started_at >= ${from} AND x.started_at < ${to}`;
  // A period [t, t + len) counts when it lies in the range and in one bucket.
  const inOne = (t: string, len: string) =>
    `${t} >= ${from} AND ${t} + interval '${len}' <= ${to}${
      opts.bucketOf
        ? ` AND ${opts.bucketOf(t)} = ${opts.bucketOf(`(${t} + interval '${len}' - interval '1 microsecond')`)}`
        : ""
    }`;
  const series = (len: string) =>
    `generate_series(date_bin(interval '${len}', ${from}, ${EPOCH}), ${to}, interval '${len}')`;
  // The rollup rows of the periods of `source` (tier, t, sb[, major]). All agents: their "*" rows
  // of hours and days, and every agent's 15-minute rows (kept per agent only); each branch an index
  // lookup of its (tier, period[, agent]). `extra`: more columns and conditions.
  const rowsOf = (source: string, extra = { columns: "", where: "" }) => {
    const join = (tiers: string, agent: string) =>
      `SELECT p.sb${extra.columns}, r.agent_id, r.kind, r.model, r.bucket, r.n, r.errors, r.tokens, r.cost, r.priced
      FROM ${source} p JOIN execution_rollups r
        ON r.workspace_id = $1 AND r.kind = ${opts.kind} AND r.tier = p.tier AND r.slot = p.t AND ${agent}${extra.where}
      WHERE p.tier ${tiers}`;
    return "all" in opts.agents
      ? `${join("> 0", "r.agent_id = '*'")} UNION ALL ${join("= 0", "true")}`
      : join(">= 0", "each" in opts.agents ? "r.agent_id <> '*'" : `r.agent_id = ${opts.agents.id}`);
  };
  // The smaller parts of split days (splitDaysSql): read once, their compacted rows (the part their
  // day holds), counted in their own bucket and, negated, in their day's.
  const moved = opts.bucketOf
    ? `moved AS MATERIALIZED (${rowsOf("minor", { columns: ", p.major", where: " AND r.compacted" })}),`
    : "";
  const movedRows = opts.bucketOf
    ? `UNION ALL SELECT sb, agent_id, kind, model, bucket, n, errors, tokens, cost, priced FROM moved
    UNION ALL SELECT major, agent_id, kind, model, bucket, -n, -errors, -tokens, -cost, -priced FROM moved`
    : "";
  // 15-minute deltas that compaction has not carried into their hour and day yet, for the hours
  // and days read above (a period read at tier 0 has them already).
  const pending = `SELECT ${opts.bucketOf ? opts.bucketOf("r.slot") : "NULL::timestamptz"}, r.agent_id, r.kind, r.model,
      r.bucket, r.n, r.errors, r.tokens, r.cost, r.priced
    FROM execution_rollups r
    WHERE NOT r.compacted AND r.workspace_id = $1 AND r.kind = ${opts.kind} AND r.tier = 0
      AND r.slot >= ${from} AND r.slot + interval '15 minutes' <= ${to} AND r.slot NOT IN (SELECT t FROM quarters)${
        "id" in opts.agents ? ` AND r.agent_id = ${opts.agents.id}` : ""
      }`;
  const rawAgent = "id" in opts.agents ? ` AND x.agent_id = ${opts.agents.id}` : "";
  const sb = (t: string) => (opts.bucketOf ? opts.bucketOf(t) : "NULL::timestamptz");
  const raw =
    opts.kind === 0
      ? `SELECT ${sb("x.started_at")} AS sb, x.agent_id, 0::smallint AS kind, ''::text AS model,
           runlens_latency_bucket(x.duration_ms) AS bucket, 1::bigint AS n, (x.status = 'error')::int::bigint AS errors,
           x.tokens_total AS tokens, COALESCE(x.cost, 0) AS cost, (x.cost IS NOT NULL)::int::bigint AS priced
         FROM ends x`
      : `SELECT ${sb("x.started_at")}, x.agent_id, 1::smallint, m.key, b.key::smallint, b.value::bigint, 0::bigint, 0::bigint, 0::float8, 0::bigint
         FROM ends x
         CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(x.llm_latency) = 'object' THEN x.llm_latency ELSE '{}'::jsonb END) m
         CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(m.value) = 'object' THEN m.value ELSE '{}'::jsonb END) b`;
  return `WITH days AS (SELECT d AS t FROM ${series("1 day")} d WHERE ${inOne("d", "1 day")}),
    ${splitDaysSql(from, to, series("1 day"), opts.bucketOf)},
    hours AS (SELECT h AS t FROM ${series("1 hour")} h
      WHERE date_bin(interval '1 day', h, ${EPOCH}) NOT IN (SELECT t FROM days UNION ALL SELECT t FROM split)
        AND ${inOne("h", "1 hour")}),
    quarters AS (SELECT s AS t FROM ${series("15 minutes")} s
      WHERE date_bin(interval '1 day', s, ${EPOCH}) NOT IN (SELECT t FROM days UNION ALL SELECT t FROM split)
        AND date_bin(interval '1 hour', s, ${EPOCH}) NOT IN (SELECT t FROM hours) AND ${inOne("s", "15 minutes")}),
    periods AS (SELECT 2::smallint AS tier, t, ${sb("t")} AS sb FROM days
      UNION ALL SELECT 1::smallint, t, ${sb("t")} FROM hours
      UNION ALL SELECT 0::smallint, t, ${sb("t")} FROM quarters
      UNION ALL SELECT 2::smallint, t, major FROM split),
    ${moved}
    ends AS (SELECT * FROM executions x WHERE x.workspace_id = $1 AND x.span_count > 0 AND (${atEnds})${rawAgent})
    ${rowsOf("periods")}
    ${movedRows}
    UNION ALL
    ${pending}
    UNION ALL
    ${raw}`;
}

/**
 * CTEs `split` and `minor` (empty without buckets): the whole UTC days of [from, to) that one
 * bucket boundary `s` (quarter-aligned, as every zone's offsets are) cuts in two, as in a +05:30
 * zone whose days start at 18:30Z. Such a day is read as its one day row, counted in the bucket of
 * its bigger part (`major`), and its smaller part's hours and quarters are moved from there to
 * their own bucket (`minor`): counted once in it and once, negated, in `major`. Only their
 * compacted rows, the part their day row holds; the pending deltas of the whole day are read
 * apart, each in its own bucket. Read as hours, a 90-day range in such a zone meant 2,069 hours.
 */
function splitDaysSql(from: string, to: string, days: string, bucketOf?: (t: string) => string): string {
  if (!bucketOf)
    return `split AS (SELECT NULL::timestamptz AS t, NULL::timestamptz AS major WHERE false),
    minor AS (SELECT NULL::smallint AS tier, NULL::timestamptz AS t, NULL::timestamptz AS sb, NULL::timestamptz AS major WHERE false)`;
  const END = "interval '1 day' - interval '1 microsecond'";
  return `cut AS (SELECT d AS t, b.s, ${bucketOf("d")} AS first FROM ${days} d
      CROSS JOIN LATERAL (SELECT ${bucketOf(`(d + ${END})`)} AS s) b
      WHERE d >= ${from} AND d + interval '1 day' <= ${to} AND b.s > d
        AND ${bucketOf("(b.s - interval '1 microsecond')")} = ${bucketOf("d")}
        AND date_bin(interval '15 minutes', b.s, ${EPOCH}) = b.s),
    split AS (SELECT c.t, CASE WHEN c.s - c.t <= c.t + interval '1 day' - c.s THEN c.s ELSE c.first END AS major,
        CASE WHEN c.s - c.t <= c.t + interval '1 day' - c.s THEN c.first ELSE c.s END AS minor,
        CASE WHEN c.s - c.t <= c.t + interval '1 day' - c.s THEN c.t ELSE c.s END AS lo,
        CASE WHEN c.s - c.t <= c.t + interval '1 day' - c.s THEN c.s ELSE c.t + interval '1 day' END AS hi
      FROM cut c),
    minor AS (
      SELECT 1::smallint AS tier, h AS t, sp.minor AS sb, sp.major
        FROM split sp CROSS JOIN LATERAL generate_series(date_bin(interval '1 hour', sp.lo, ${EPOCH}), sp.hi, interval '1 hour') h
        WHERE h >= sp.lo AND h + interval '1 hour' <= sp.hi
      UNION ALL
      SELECT 0::smallint, q, sp.minor, sp.major
        FROM split sp CROSS JOIN LATERAL generate_series(sp.lo, sp.hi - interval '15 minutes', interval '15 minutes') q
        WHERE NOT (date_bin(interval '1 hour', q, ${EPOCH}) >= sp.lo
          AND date_bin(interval '1 hour', q, ${EPOCH}) + interval '1 hour' <= sp.hi))`;
}
