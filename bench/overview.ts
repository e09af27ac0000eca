// `npm run bench:overview [-- --spans N]`: the overview (GET /api/v1/overview) and a percentile
// Metrics card over 10 million spans (90 days, ~30 spans an execution, a third of them LLM calls on
// four models, 5% of executions failing) on Postgres. Loads spans with SQL into a fresh database,
// derives the executions rows from them as ingest does (lib/ingest/write/rollup.ts), lets the
// migration's triggers write execution_rollups and compacts them, starts the real portal and
// measures p50/p95 of the overview for 24h, 7d, 30d and 90d ranges ending now (all agents and one
// agent, in UTC and Asia/Kolkata) and of a p95-of-durations card. In the same run the same numbers
// are computed from raw data (percentile_disc over executions.duration_ms and over LLM spans'
// durations) as the baseline; every overview percentile must be within LATENCY_RELATIVE_ERROR of
// the raw one and every count equal. Last line: {"bench":"overview",...}. See docs/performance.md.
import os from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { openDatabase } from "../lib/db/client.ts";
import { withTransaction } from "../lib/db/transaction.ts";
import { resolveAgents } from "../lib/ingest/write/agents.ts";
import { LATENCY_RELATIVE_ERROR } from "../lib/overview/histogram.ts";
import { compactExecutionRollups } from "../lib/overview/rollups.ts";
import { adminCreateWorkspace } from "../lib/workspaces/admin.ts";
import { type RunningServer, startPortal } from "../tests/helpers/server.ts";
import { intOpt } from "./options.ts";

const { values: args } = parseArgs({
  options: {
    spans: { type: "string" },
    days: { type: "string" },
    runs: { type: "string" },
    "raw-runs": { type: "string" },
    "pg-url": { type: "string" },
    keep: { type: "string" },
    reuse: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(`npm run bench:overview -- [options]
  --spans N       spans to load (default 10000000, or BENCH_SPANS), ~30 an execution
  --days N        days they cover, ending now (default 90)
  --runs N        API requests per overview query and for the card, after one warm-up (default 20)
  --raw-runs N    raw-data baseline runs per query (default 3; the first is also the reference)
  --pg-url URL    admin URL of Postgres (default postgresql://postgres@127.0.0.1:5432/postgres, or BENCH_PG_URL)
  --keep NAME     keep the loaded database under this name (for --reuse)
  --reuse NAME    measure on a database kept by --keep (skips loading)`);
  process.exit(0);
}

const SPANS = intOpt(args.spans ?? process.env.BENCH_SPANS, 10_000_000, "--spans");
const DAYS = intOpt(args.days, 90, "--days");
const RUNS = intOpt(args.runs, 20, "--runs");
const RAW_RUNS = intOpt(args["raw-runs"], 3, "--raw-runs");
const PER_EXECUTION = 30;
const EXECUTIONS = Math.ceil(SPANS / PER_EXECUTION);
const PG_ADMIN_URL = args["pg-url"] ?? process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const DB_NAME = args.reuse ?? args.keep ?? `runlens_bench_overview_${process.pid}`;
const WORKSPACE = "Bench overview";
const API_KEY = "rl_bench_overview_0123456789abcdef";
const AGENTS = ["support", "research", "billing", "triage", "reconcile"];
const ONE_AGENT = "research";
const ZONES = ["UTC", "Asia/Kolkata"];
const RANGES = { "24h": 1, "7d": 7, "30d": 30, "90d": 90 } as const;
/** Model, median LLM call duration (ms), USD per 1k input and output tokens. */
const MODELS: [string, number, number, number][] = [
  ["gpt-4o", 1400, 0.0025, 0.01],
  ["gpt-4o-mini", 650, 0.00015, 0.0006],
  ["claude-sonnet-4", 2100, 0.003, 0.015],
  ["gemini-2.0-flash", 450, 0.0001, 0.0004],
];
const ERRORS: [string, string][] = [
  ["RateLimitError", "429 Too Many Requests: rate limit reached for requests"],
  ["TimeoutError", "Tool call search_orders exceeded 30000 ms"],
  ["ValidationError", "Model output did not match the response schema"],
  ["ToolError", "HTTP 502 from inventory service"],
];

const dbUrl = (name: string) => {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
};
const log = (s: string) => console.log(s);
const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round = (x: number) => Math.round(x * 10) / 10;
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
const fmt = (n: number) => n.toLocaleString("en");

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

let server: RunningServer | null = null;
let created = false;
async function cleanup() {
  await server?.stop().catch(() => undefined);
  server = null;
  if (created && !args.keep)
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)).catch(() => undefined);
  created = false;
}
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => {
    void cleanup().finally(() => process.exit(130));
  });

/** A normal(0, 1) draw in SQL (Box-Muller). */
const NORMAL = "(sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))";
/** A log-normal duration in whole ms: median m, spread s, clamped to [lo, hi]. */
const logNormal = (m: string, s: number, lo: number, hi: number) =>
  `least(${hi}, greatest(${lo}, round(${m} * exp(${s} * ${NORMAL}))))::bigint`;

/**
 * Spans of executions lo..hi: a root agent_execution (log-normal duration, median 6 s), then 29
 * children spread over it; every third child an LLM call (one of four models, log-normal
 * 100 ms-20 s around the model's median, tokens and cost), the others tool calls. A failed
 * execution (5%) has an error on its root and on its last child.
 */
const SPANS_SQL = `
  WITH x AS MATERIALIZED (
    SELECT g, 'ex_' || g AS eid,
      $3::bigint - $4::bigint * 86400000 + floor((g - 1)::float8 / $5 * $4 * 86400000)::bigint AS t0,
      ${logNormal("6000", 0.9, 300, 300000)} AS dur,
      CASE WHEN random() < 0.05 THEN 1 + floor(random() * random() * ${ERRORS.length})::int END AS err
    FROM generate_series($1::int, $2::int) g
  ), s AS (
    SELECT x.*, k, CASE WHEN k > 0 AND k % 3 = 1 THEN 1 + floor(random() * ${MODELS.length})::int END AS m,
      x.t0 + CASE WHEN k = 0 THEN 0 ELSE floor(x.dur * (k - 1) / ${PER_EXECUTION})::bigint END AS st
    FROM x CROSS JOIN generate_series(0, ${PER_EXECUTION - 1}) k
  ), d AS (
    SELECT s.*, CASE WHEN k = 0 THEN dur
      WHEN m IS NOT NULL THEN ${logNormal("($6::int[])[m]", 0.8, 100, 20000)}
      ELSE ${logNormal("40", 1.2, 1, 5000)} END AS ms,
      CASE WHEN m IS NOT NULL THEN 200 + floor(random() * 3000)::bigint END AS tin,
      CASE WHEN m IS NOT NULL THEN 20 + floor(random() * 800)::bigint END AS tout
    FROM s
  )
  INSERT INTO spans (workspace_id, id, execution_id, parent_id, type, name, status, started_at, ended_at,
    input, output, error, llm, llm_model, tokens_input, tokens_output, tokens_total, cost)
  SELECT $7, 'sp_' || g || '_' || k, eid, CASE WHEN k > 0 THEN 'sp_' || g || '_0' END,
    CASE WHEN k = 0 THEN 'agent_execution' WHEN m IS NOT NULL THEN 'llm_call' ELSE 'tool_call' END,
    CASE WHEN k = 0 THEN 'handle_request' WHEN m IS NOT NULL THEN 'chat ' || ($8::text[])[m] ELSE 'tool_' || (k % 7) END,
    (CASE WHEN err IS NOT NULL AND k IN (0, ${PER_EXECUTION - 1}) THEN 'error' ELSE 'success' END)::"RunStatus",
    to_timestamp(st / 1000.0), to_timestamp((st + ms) / 1000.0),
    CASE WHEN k = 0 THEN jsonb_build_object('message', 'request ' || g) END,
    CASE WHEN k = 0 AND err IS NULL THEN jsonb_build_object('answer', 'done') END,
    CASE WHEN err IS NOT NULL AND k IN (0, ${PER_EXECUTION - 1})
      THEN jsonb_build_object('name', ($9::text[])[err], 'message', ($10::text[])[err]) END,
    CASE WHEN m IS NOT NULL THEN jsonb_build_object('model', ($8::text[])[m]) END,
    ($8::text[])[m], tin, tout, tin + tout,
    CASE WHEN m IS NOT NULL THEN (tin * ($11::float8[])[m] + tout * ($12::float8[])[m]) / 1000 END
  FROM d`;

const ROOT_TYPES = `('agent_execution','workflow_execution','custom_execution')`;
const MODEL_TYPES = `('llm_call','embedding')`;
const CHUNK_IDS = `(SELECT 'ex_' || g FROM generate_series($2::int, $3::int) g)`;
/**
 * Executions lo..hi from their spans, computed as ROLLUP_EXECUTIONS (lib/ingest/write/rollup.ts)
 * computes them for finished executions; the INSERT trigger writes their rollup deltas.
 */
const EXECUTIONS_SQL = `
  WITH agg AS (
    SELECT s.execution_id, min(s.started_at) AS started_at, max(s.ended_at) AS max_ended, count(*)::int AS span_count,
      bool_or(s.type = 'conversation_message') AS has_conversation,
      bool_or(s.type IN ${MODEL_TYPES} AND s.tokens_total IS NOT NULL) AS has_llm_tokens,
      COALESCE(sum(s.tokens_input) FILTER (WHERE s.type IN ${MODEL_TYPES}), 0) AS llm_in,
      COALESCE(sum(s.tokens_output) FILTER (WHERE s.type IN ${MODEL_TYPES}), 0) AS llm_out,
      COALESCE(sum(s.tokens_total) FILTER (WHERE s.type IN ${MODEL_TYPES}), 0) AS llm_total,
      COALESCE(sum(s.tokens_input), 0) AS all_in, COALESCE(sum(s.tokens_output), 0) AS all_out,
      COALESCE(sum(s.tokens_total), 0) AS all_total, sum(s.cost) AS cost,
      sum((extract(epoch FROM (s.ended_at - s.started_at)) * 1000)::bigint)
        FILTER (WHERE s.type IN ${MODEL_TYPES} AND s.ended_at IS NOT NULL) AS llm_ms,
      (array_agg(s.error ORDER BY s.started_at) FILTER (WHERE s.error IS NOT NULL))[1] AS first_error,
      (array_agg(s.id ORDER BY (s.parent_id IS NULL) DESC, (s.type IN ${ROOT_TYPES}) DESC, s.started_at, s.id))[1] AS root_id
    FROM spans s WHERE s.workspace_id = $1 AND s.execution_id IN ${CHUNK_IDS}
    GROUP BY s.execution_id
  ), latency AS (
    SELECT m.execution_id, jsonb_object_agg(m.model, m.hist) AS llm_latency FROM (
      SELECT b.execution_id, b.model, jsonb_object_agg(b.bucket, b.n) AS hist FROM (
        SELECT l.execution_id, COALESCE(l.llm_model, '') AS model,
          runlens_latency_bucket(extract(epoch FROM (l.ended_at - l.started_at)) * 1000) AS bucket, count(*) AS n
        FROM spans l WHERE l.workspace_id = $1 AND l.execution_id IN ${CHUNK_IDS}
          AND l.type = 'llm_call' AND l.ended_at IS NOT NULL
        GROUP BY 1, 2, 3) b GROUP BY 1, 2) m GROUP BY 1
  )
  INSERT INTO executions (workspace_id, id, agent_id, name, type, status, source, started_at, ended_at, duration_ms,
    input, output, error, span_count, has_conversation, tokens_input, tokens_output, tokens_total, cost,
    llm_duration_ms, llm_latency)
  SELECT $1, agg.execution_id, ($4::text[])[1 + substr(agg.execution_id, 4)::int % ${AGENTS.length}],
    root.name, root.type, root.status, 'sdk', agg.started_at,
    CASE WHEN root.status = 'running' THEN NULL ELSE greatest(root.ended_at, agg.max_ended) END,
    CASE WHEN root.status = 'running' THEN NULL
      ELSE (extract(epoch FROM (greatest(root.ended_at, agg.max_ended) - agg.started_at)) * 1000)::bigint END,
    root.input, root.output, COALESCE(root.error, CASE WHEN root.status = 'error' THEN agg.first_error END),
    agg.span_count, agg.has_conversation,
    CASE WHEN agg.has_llm_tokens THEN agg.llm_in ELSE agg.all_in END,
    CASE WHEN agg.has_llm_tokens THEN agg.llm_out ELSE agg.all_out END,
    CASE WHEN agg.has_llm_tokens THEN agg.llm_total ELSE agg.all_total END,
    agg.cost, agg.llm_ms, latency.llm_latency
  FROM agg CROSS JOIN LATERAL (
    SELECT r.* FROM spans r WHERE r.workspace_id = $1 AND r.id = agg.root_id LIMIT 1) root
  LEFT JOIN latency ON latency.execution_id = agg.execution_id`;

type Pcts = [number | null, number | null, number | null, number | null];
type RawAnswer = {
  executions: number;
  errors: number;
  tokens: number;
  cost: number | null;
  latency: Pcts;
  agents: Map<string, { executions: number; errors: number; p50: number | null; p95: number | null }>;
  series: Map<string, { executions: number; errors: number; p50: number | null; p95: number | null }>;
  models: Map<string, { calls: number; latency: Pcts }>;
};
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** The bucket of started_at as the overview buckets it (lib/overview/overview.ts bucketSql). */
const bucketOf = (interval: string) =>
  interval === "hour"
    ? `date_bin(interval '1 hour', e.started_at, date_trunc('hour', $2::timestamptz AT TIME ZONE $5) AT TIME ZONE $5)`
    : `(date_trunc('${interval}', e.started_at AT TIME ZONE $5) AT TIME ZONE $5)`;

/** The overview's numbers from raw rows: executions.duration_ms, and LLM spans of the range's executions. */
function rawSql(interval: string) {
  const agent = "($4::text IS NULL OR a.name = $4)";
  const executions = `SELECT GROUPING(a.name, sb) AS g, a.name AS agent, sb, count(*) AS n,
      count(*) FILTER (WHERE e.status = 'error') AS errors, sum(e.tokens_total) AS tokens, sum(e.cost) AS cost,
      percentile_disc(ARRAY[0.5, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY e.duration_ms) AS p
    FROM (SELECT e.*, ${bucketOf(interval)} AS sb FROM executions e
          WHERE e.workspace_id = $1 AND e.started_at >= $2::timestamptz AND e.started_at < $3::timestamptz) e
    JOIN agents a ON a.id = e.agent_id WHERE ${agent}
    GROUP BY GROUPING SETS ((), (a.name), (sb))`;
  const models = `SELECT COALESCE(l.llm_model, '') AS model, count(*) AS n,
      percentile_disc(ARRAY[0.5, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM (l.ended_at - l.started_at)) * 1000) AS p
    FROM executions e JOIN agents a ON a.id = e.agent_id
    JOIN spans l ON l.workspace_id = e.workspace_id AND l.execution_id = e.id AND l.type = 'llm_call' AND l.ended_at IS NOT NULL
    WHERE e.workspace_id = $1 AND e.started_at >= $2::timestamptz AND e.started_at < $3::timestamptz AND ${agent}
    GROUP BY 1`;
  return { executions, models };
}

try {
  const loadBefore = load();
  if (!args.reuse) {
    await admin((c) => c.query(`CREATE DATABASE ${DB_NAME}`));
    created = true;
  }
  const db = await openDatabase({
    kind: "postgres",
    url: dbUrl(DB_NAME),
    migrate: "apply",
    poolSize: 4,
    // Loading statements and raw baselines over 10 million spans take longer than a request may.
    timeouts: { connectMs: 10_000, queryMs: 3_600_000 },
  });
  const pool = db.pool!;
  let workspaceId: string;
  const loading: Record<string, number> = {};
  if (args.reuse) {
    const { rows } = await pool.query<{ id: string }>("SELECT id FROM workspaces WHERE name = $1", [WORKSPACE]);
    if (!rows[0]) throw new Error(`${DB_NAME} holds no bench data: load it with --keep ${DB_NAME}`);
    workspaceId = rows[0].id;
    log(`reusing ${DB_NAME}`);
  } else {
    ({
      workspace: { id: workspaceId },
    } = await adminCreateWorkspace(db, { name: WORKSPACE, apiKey: API_KEY }));
    const ids = await withTransaction(db, (tx) => resolveAgents(tx, workspaceId, AGENTS));
    const agentIds = AGENTS.map((a) => ids.get(a)!);
    const now = Date.now();

    const t0 = performance.now();
    const client = await pool.connect();
    try {
      await client.query("SELECT setseed(0.19)");
      const chunk = Math.max(1, Math.floor(500_000 / PER_EXECUTION));
      for (let lo = 1; lo <= EXECUTIONS; lo += chunk) {
        const hi = Math.min(EXECUTIONS, lo + chunk - 1);
        await client.query(SPANS_SQL, [
          lo,
          hi,
          now,
          DAYS,
          EXECUTIONS,
          MODELS.map((m) => m[1]),
          workspaceId,
          MODELS.map((m) => m[0]),
          ERRORS.map((e) => e[0]),
          ERRORS.map((e) => e[1]),
          MODELS.map((m) => m[2]),
          MODELS.map((m) => m[3]),
        ]);
        process.stdout.write(`\rloading spans: ${fmt(hi * PER_EXECUTION)} / ${fmt(EXECUTIONS * PER_EXECUTION)}`);
      }
      loading.spans_s = round((performance.now() - t0) / 1000);
      log(`\nloaded spans in ${secs(t0)}`);
      await client.query("ANALYZE spans");

      const t1 = performance.now();
      const chunk2 = 20_000;
      for (let lo = 1; lo <= EXECUTIONS; lo += chunk2) {
        const hi = Math.min(EXECUTIONS, lo + chunk2 - 1);
        await client.query(EXECUTIONS_SQL, [workspaceId, lo, hi, agentIds]);
        process.stdout.write(`\rrolling up executions: ${fmt(hi)} / ${fmt(EXECUTIONS)}`);
      }
      loading.executions_s = round((performance.now() - t1) / 1000);
      log(`\nrolled up executions (and their rollup deltas, by trigger) in ${secs(t1)}`);
    } finally {
      client.release();
    }
  }
  // Also on a kept database: what a load left uncompacted (a run stopped early) is merged first.
  const t2 = performance.now();
  const merged = await compactExecutionRollups(db);
  loading.compact_s = round((performance.now() - t2) / 1000);
  log(`compacted ${fmt(merged)} rollup rows in ${secs(t2)}`);
  // As autovacuum would have by then: statistics, and visibility maps for index-only scans.
  const t3 = performance.now();
  for (const table of ["spans", "executions", "execution_rollups"]) await pool.query(`VACUUM (ANALYZE) ${table}`);
  log(`vacuumed and analyzed in ${secs(t3)}`);
  const counts = (
    await pool.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM spans)::text AS spans, (SELECT count(*) FROM executions)::text AS executions,
              (SELECT count(*) FROM execution_rollups)::text AS rollups,
              pg_size_pretty((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('spans'))) AS spans_size,
              pg_size_pretty(pg_total_relation_size('executions')) AS executions_size,
              pg_size_pretty(pg_total_relation_size('execution_rollups')) AS rollups_size`,
    )
  ).rows[0];
  log(
    `spans: ${fmt(Number(counts.spans))} rows, ${counts.spans_size}; executions: ${fmt(Number(counts.executions))}, ${counts.executions_size}; execution_rollups: ${fmt(Number(counts.rollups))}, ${counts.rollups_size}`,
  );

  // Raw baseline: run (timed), the first run is the reference the overview is checked against.
  const rawCache = new Map<string, { answer: RawAnswer; exec_ms: number[]; llm_ms: number[] }>();
  async function raw(from: string, to: string, agent: string | null, tz: string, interval: string) {
    const key = `${from} ${to} ${agent} ${tz} ${interval}`;
    const hit = rawCache.get(key);
    if (hit) return hit;
    const sql = rawSql(interval);
    const params = [workspaceId, from, to, agent, tz];
    const exec_ms: number[] = [];
    const llm_ms: number[] = [];
    let answer: RawAnswer | null = null;
    for (let i = 0; i < RAW_RUNS; i++) {
      let t = performance.now();
      const er = await pool.query(sql.executions, params);
      exec_ms.push(performance.now() - t);
      t = performance.now();
      const mr = await pool.query(sql.models, params.slice(0, 4));
      llm_ms.push(performance.now() - t);
      if (answer) continue;
      const pcts = (p: unknown[] | null) => (p ?? [null, null, null, null]).map(num) as Pcts;
      answer = {
        executions: 0,
        errors: 0,
        tokens: 0,
        cost: null,
        latency: [null, null, null, null],
        agents: new Map(),
        series: new Map(),
        models: new Map(),
      };
      for (const r of er.rows) {
        const p = pcts(r.p);
        const row = { executions: Number(r.n), errors: Number(r.errors), p50: p[0], p95: p[2] };
        if (Number(r.g) === 3)
          Object.assign(answer, { ...row, tokens: Number(r.tokens ?? 0), cost: num(r.cost), latency: p });
        else if (Number(r.g) === 1) answer.agents.set(r.agent, row);
        else answer.series.set(new Date(r.sb).toISOString(), row);
      }
      for (const r of mr.rows) answer.models.set(r.model, { calls: Number(r.n), latency: pcts(r.p) });
    }
    const v = { answer: answer!, exec_ms, llm_ms };
    rawCache.set(key, v);
    return v;
  }

  // Comparison of one overview answer with the raw one.
  let checked = 0;
  const violations: string[] = [];
  let worst = { error: 0, where: "" };
  const close = (what: string, ov: number | null | undefined, rw: number | null | undefined) => {
    checked++;
    if (ov === null || ov === undefined || rw === null || rw === undefined) {
      if ((ov ?? null) !== (rw ?? null)) violations.push(`${what}: overview ${ov}, raw ${rw}`);
      return;
    }
    const err = Math.abs(ov - rw) / Math.abs(rw);
    if (err > worst.error) worst = { error: err, where: `${what}: overview ${round(ov)} ms, raw ${rw} ms` };
    if (err > LATENCY_RELATIVE_ERROR + 1e-9)
      violations.push(`${what}: overview ${ov}, raw ${rw} (${(err * 100).toFixed(2)}%)`);
  };
  const countMismatches: string[] = [];
  const same = (what: string, ov: number | null | undefined, rw: number | null | undefined, tol = 0) => {
    const a = ov ?? 0;
    const b = rw ?? 0;
    if (Math.abs(a - b) > tol * Math.max(1, Math.abs(b))) countMismatches.push(`${what}: overview ${ov}, raw ${rw}`);
  };
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, checked field by field below
  function compare(name: string, ov: any, rw: RawAnswer) {
    same(`${name} executions`, ov.executions, rw.executions);
    same(`${name} errors`, ov.errors, rw.errors);
    same(`${name} tokens`, ov.tokens, rw.tokens);
    same(`${name} cost`, ov.cost, rw.cost, 1e-9);
    ["p50", "p90", "p95", "p99"].forEach((p, i) => {
      close(`${name} ${p}`, ov.latency[p], rw.latency[i]);
    });
    for (const s of ov.series) {
      const r = rw.series.get(s.bucket);
      same(`${name} series ${s.bucket} executions`, s.executions, r?.executions ?? 0);
      same(`${name} series ${s.bucket} errors`, s.errors, r?.errors ?? 0);
      close(`${name} series ${s.bucket} p50`, s.p50, r?.p50 ?? null);
      close(`${name} series ${s.bucket} p95`, s.p95, r?.p95 ?? null);
    }
    same(
      `${name} series buckets with executions`,
      ov.series.filter((s: { executions: number }) => s.executions > 0).length,
      rw.series.size,
    );
    same(`${name} agents`, ov.agents.length, rw.agents.size);
    for (const a of ov.agents) {
      const r = rw.agents.get(a.agent);
      same(`${name} agent ${a.agent} executions`, a.executions, r?.executions);
      close(`${name} agent ${a.agent} p50`, a.p50, r?.p50);
      close(`${name} agent ${a.agent} p95`, a.p95, r?.p95);
    }
    same(`${name} models`, ov.models.length, rw.models.size);
    for (const m of ov.models) {
      const r = rw.models.get(m.model);
      same(`${name} model ${m.model} calls`, m.calls, r?.calls);
      ["p50", "p90", "p95", "p99"].forEach((p, i) => {
        close(`${name} model ${m.model} ${p}`, m[p], r?.latency[i]);
      });
    }
  }

  server = await startPortal({ databaseUrl: dbUrl(DB_NAME), env: { RUNLENS_WORKER: "off", REDIS_URL: "" } });
  const headers = { authorization: `Bearer ${API_KEY}` };
  const now = Date.now();
  type Row = {
    query: string;
    p50_ms: number;
    p95_ms: number;
    raw_exec_p50_ms: number;
    raw_llm_p50_ms: number;
    raw_p50_ms: number;
  };
  const rows: Row[] = [];
  const allApi: number[] = [];
  for (const [range, days] of Object.entries(RANGES)) {
    if (days > DAYS) continue;
    const from = new Date(now - days * 86_400_000).toISOString();
    const to = new Date(now).toISOString();
    for (const agent of [null, ONE_AGENT])
      for (const tz of ZONES) {
        const name = `${range} ${agent ?? "all"} ${tz}`;
        const qs = new URLSearchParams({ from, to, timezone: tz, ...(agent ? { agent } : {}) });
        const api: number[] = [];
        // biome-ignore lint/suspicious/noExplicitAny: see compare
        let body: any = null;
        for (let i = -1; i < RUNS; i++) {
          const t = performance.now();
          const res = await fetch(`${server.url}/api/v1/overview?${qs}`, { headers });
          const text = await res.text();
          if (i >= 0) api.push(performance.now() - t);
          if (!res.ok) throw new Error(`${name}: ${res.status} ${text}`);
          body ??= JSON.parse(text);
        }
        const rw = await raw(from, to, agent, tz, body.interval);
        compare(name, body, rw.answer);
        allApi.push(...api);
        const row = {
          query: name,
          p50_ms: round(pct(api, 50)),
          p95_ms: round(pct(api, 95)),
          raw_exec_p50_ms: round(pct(rw.exec_ms, 50)),
          raw_llm_p50_ms: round(pct(rw.llm_ms, 50)),
          raw_p50_ms: round(
            pct(
              rw.exec_ms.map((x, i) => x + rw.llm_ms[i]),
              50,
            ),
          ),
        };
        rows.push(row);
        log(
          `${name.padEnd(28)} overview p50 ${String(row.p50_ms).padStart(7)} ms  p95 ${String(row.p95_ms).padStart(7)} ms | raw: executions ${row.raw_exec_p50_ms} ms + LLM spans ${row.raw_llm_p50_ms} ms`,
        );
      }
  }
  const overviewP95 = round(pct(allApi, 95));

  // The percentile card: p95 of execution durations per UTC day over 30 days, one agent.
  const cardFrom = new Date(now - 30 * 86_400_000).toISOString();
  const cardTo = new Date(now).toISOString();
  const cardBody = {
    agent: ONE_AGENT,
    event: "$executions",
    aggregation: "p95",
    property: "durationMs",
    from: cardFrom,
    to: cardTo,
    interval: "day",
    timezone: "UTC",
  };
  const card: Record<string, unknown> = { query: cardBody };
  const cardApi: number[] = [];
  let cardAnswer: { series?: { bucket: string; value: number | null }[] } | null = null;
  for (let i = -1; i < RUNS; i++) {
    const t = performance.now();
    const res = await fetch(`${server.url}/api/v1/metrics/query`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(cardBody),
    });
    const text = await res.text();
    if (!res.ok) {
      card.status = res.status;
      card.error = text.slice(0, 300);
      log(`card: ${res.status} ${text.slice(0, 300)}`);
      break;
    }
    if (i >= 0) cardApi.push(performance.now() - t);
    cardAnswer ??= JSON.parse(text);
    card.source = res.headers.get("x-runlens-metric-source");
  }
  const cardRawMs: number[] = [];
  let cardRaw: Map<string, number> = new Map();
  for (let i = 0; i < RAW_RUNS; i++) {
    const t = performance.now();
    const r = await pool.query(
      `SELECT date_trunc('day', e.started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS b,
         percentile_disc(0.95) WITHIN GROUP (ORDER BY e.duration_ms) AS p
       FROM executions e JOIN agents a ON a.id = e.agent_id
       WHERE e.workspace_id = $1 AND a.name = $2 AND e.started_at >= $3 AND e.started_at < $4 GROUP BY 1`,
      [workspaceId, ONE_AGENT, cardFrom, cardTo],
    );
    cardRawMs.push(performance.now() - t);
    cardRaw = new Map(r.rows.map((x) => [new Date(x.b).toISOString(), Number(x.p)]));
  }
  card.raw_p50_ms = round(pct(cardRawMs, 50));
  if (cardApi.length && cardAnswer?.series) {
    card.p50_ms = round(pct(cardApi, 50));
    card.p95_ms = round(pct(cardApi, 95));
    for (const s of cardAnswer.series) close(`card ${s.bucket} p95`, s.value, cardRaw.get(s.bucket) ?? null);
    same("card days with executions", cardAnswer.series.filter((s) => s.value !== null).length, cardRaw.size);
    log(
      `card p95(durationMs) 30d by day via ${card.source}: p50 ${card.p50_ms} ms, p95 ${card.p95_ms} ms | raw percentile_disc ${card.raw_p50_ms} ms`,
    );
  } else if (cardApi.length) card.error = "answer without series";

  const loadAfter = load();
  log("");
  log(`overview p95 over all ${allApi.length} requests: ${overviewP95} ms (target: under 300 ms)`);
  log(`card p95: ${card.p95_ms ?? "n/a"} ms (target: under 300 ms)`);
  log(
    `percentiles checked: ${checked}, outside ±${(LATENCY_RELATIVE_ERROR * 100).toFixed(2)}%: ${violations.length}; worst error ${(worst.error * 100).toFixed(3)}% (${worst.where})`,
  );
  for (const v of violations.slice(0, 10)) log(`  violation: ${v}`);
  log(`counts/sums compared unequal: ${countMismatches.length}`);
  for (const v of countMismatches.slice(0, 10)) log(`  mismatch: ${v}`);
  log(`load average before ${loadBefore.join(" ")}, after ${loadAfter.join(" ")}`);
  await db.close();
  await cleanup();
  const overviewMet = overviewP95 < 300;
  const cardMet = typeof card.p95_ms === "number" && card.p95_ms < 300;
  console.log(
    JSON.stringify({
      bench: "overview",
      spans: Number(counts.spans),
      executions: Number(counts.executions),
      rollup_rows: Number(counts.rollups),
      days: DAYS,
      runs: RUNS,
      raw_runs: RAW_RUNS,
      loading,
      queries: rows,
      overview_p95_ms: overviewP95,
      card,
      target_p95_ms: 300,
      overview_meets_target: overviewMet,
      card_meets_target: cardMet,
      percentiles_checked: checked,
      percentile_bound: LATENCY_RELATIVE_ERROR,
      max_percentile_error: worst.error,
      percentile_violations: violations.length,
      count_mismatches: countMismatches.length,
      loadavg_before: loadBefore,
      loadavg_after: loadAfter,
      meets_targets: overviewMet && cardMet && violations.length === 0 && countMismatches.length === 0,
    }),
  );
} catch (e) {
  console.error(e);
  await cleanup();
  process.exit(1);
}
