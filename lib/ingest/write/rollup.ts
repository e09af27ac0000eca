import "server-only";
import { executionDaySql, executionDaysSql } from "../../data/partitions.ts";
import { anyOfJsonArray } from "../../db/sql.ts";
import { latencyBucket } from "../../overview/histogram.ts";

/**
 * The execution rollup: an execution's row is derived from all its stored spans (root span, counts,
 * tokens, cost, time in model calls, first error, LLM latency), in the transaction that writes its
 * spans. Besides what it shows, the row keeps the partial aggregates it was derived from (`agg_*`,
 * `rollup_ok`): sums and counts, the latest end, the first error's and the root's span ids. A batch
 * that adds spans to an execution whose aggregates are kept merges its own spans into them
 * (ROLLUP_INCREMENTAL: work in proportion to the batch, not to the execution), subtracting the
 * versions it replaced; everything else (a new execution, spans moving between executions, a
 * replaced version whose removal could change a minimum, a maximum or the first error) rolls the
 * execution up from all its stored spans again (ROLLUP_EXECUTIONS). Both derive the row with the
 * same expressions from the same aggregates, so they give the same row.
 */

/**
 * Locks execution rows ($2: JSON array of ids) in id order, for their rollup. NO KEY UPDATE, the
 * lock the rollup's own UPDATE takes: two rollups of a row take turns, while foreign key checks
 * of rows referencing it (conversation_search, written by a trigger as the batch's spans go in,
 * before this lock) take KEY SHARE, which it does not wait for. FOR UPDATE would: batches of one
 * execution, each holding KEY SHARE from its spans, would each wait for the others (a deadlock).
 */
export const LOCK_EXECUTIONS = `SELECT 1 FROM executions WHERE workspace_id = $1 AND id = ${anyOfJsonArray("$2")}
  ORDER BY id FOR NO KEY UPDATE`;

/**
 * Execution rows ($2: JSON array of ids): which keep their aggregates (those can be rolled up
 * incrementally), the partition day of their spans (the UTC day they were created:
 * lib/data/partitions.ts) and today's (the spans' default day, in this transaction).
 */
export const READ_EXECUTION_STATES = `SELECT id, rollup_ok, span_count,
    to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day,
    to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS today
  FROM executions WHERE workspace_id = $1 AND id = ${anyOfJsonArray("$2")}`;

/** READ_EXECUTION_STATES with the rows locked, in id order, as LOCK_EXECUTIONS does. */
export const LOCK_EXECUTION_STATES = `${READ_EXECUTION_STATES}
  ORDER BY id FOR NO KEY UPDATE`;

/**
 * Executions with fewer stored spans are rolled up in full even when they keep their aggregates:
 * reading a few dozen spans by execution costs less than the merge's fixed work (measured with
 * bench:ingest's bodies, 35-span executions of which one in ten spans two batches: 45 s of Postgres
 * CPU per 200,000 spans merging, 10.5 s in full; docs/performance.md › Real traffic › Incremental
 * execution rollup). `RUNLENS_INCREMENTAL_ROLLUP_MIN_SPANS` changes it (tests set 0).
 */
export function incrementalRollupMinSpans(): number {
  const v = Number(process.env.RUNLENS_INCREMENTAL_ROLLUP_MIN_SPANS);
  return Number.isInteger(v) && v >= 0 ? v : 500;
}

const BIGINT_MAX = "9223372036854775807";
const ROOT_TYPES = `('agent_execution','workflow_execution','custom_execution')`;
/** Spans whose tokens are model usage: when any has a total, the execution sums only these. */
const MODEL_TYPES = `('llm_call','embedding')`;
const PREVIEW_CHARS = 4000;
/** Execution previews: a payload's JSON up to 4,000 characters, else a truncation marker. */
const preview = (col: string) =>
  `CASE WHEN ${col} IS NULL OR jsonb_typeof(${col}) = 'null' THEN NULL
        WHEN length(${col}::text) <= ${PREVIEW_CHARS} THEN ${col}
        ELSE jsonb_build_object('__runlens_truncated', true, 'originalSize', length(${col}::text), 'preview', left(${col}::text, ${PREVIEW_CHARS})) END`;

/**
 * The columns of spans the aggregates read (the replace path returns them for the versions it
 * deletes: RemovedSpan), as a recordset definition.
 */
export const AGGREGATED_SPAN_COLUMNS = `id text, execution_id text, parent_id text, type text, started_at timestamptz,
  ended_at timestamptz, has_error boolean, llm_model text, tokens_input bigint, tokens_output bigint, tokens_total bigint, cost float8`;
export const AGGREGATED_SPAN_SELECT = `id, execution_id, parent_id, type, started_at, ended_at, error IS NOT NULL AS has_error,
  llm_model, tokens_input, tokens_output, tokens_total, cost`;

/**
 * Per execution, the aggregates of the spans `s` (rows with AGGREGATED_SPAN_COLUMNS; `error` read as
 * `has_error`). Sums are numeric (exact, in any order); cost sums each call's cost as numeric.
 */
const aggregates = (hasError: string) => `s.execution_id,
  min(s.started_at) AS started_at, max(s.ended_at) AS max_ended, count(*)::int AS n,
  count(*) FILTER (WHERE s.type = 'conversation_message')::int AS conversations,
  count(*) FILTER (WHERE s.type IN ${MODEL_TYPES} AND s.tokens_total IS NOT NULL)::int AS token_spans,
  COALESCE(sum(s.tokens_input) FILTER (WHERE s.type IN ${MODEL_TYPES}), 0) AS llm_in,
  COALESCE(sum(s.tokens_output) FILTER (WHERE s.type IN ${MODEL_TYPES}), 0) AS llm_out,
  COALESCE(sum(s.tokens_total) FILTER (WHERE s.type IN ${MODEL_TYPES}), 0) AS llm_total,
  COALESCE(sum(s.tokens_input), 0) AS all_in, COALESCE(sum(s.tokens_output), 0) AS all_out,
  COALESCE(sum(s.tokens_total), 0) AS all_total,
  COALESCE(sum(s.cost::numeric), 0) AS cost, count(s.cost)::int AS priced,
  COALESCE(sum((extract(epoch FROM (s.ended_at - s.started_at)) * 1000)::bigint)
    FILTER (WHERE s.type IN ${MODEL_TYPES} AND s.ended_at IS NOT NULL), 0) AS llm_ms,
  count(*) FILTER (WHERE s.type IN ${MODEL_TYPES} AND s.ended_at IS NOT NULL)::int AS llm_finished,
  (array_agg(s.id ORDER BY s.started_at, s.id) FILTER (WHERE ${hasError}))[1] AS error_id,
  min(s.started_at) FILTER (WHERE ${hasError}) AS error_at,
  (array_agg(s.id ORDER BY (s.parent_id IS NULL) DESC, (s.type IN ${ROOT_TYPES}) DESC, s.started_at, s.id))[1] AS root_id`;

/** Per execution, model and latency bucket: how many finished LLM calls of the spans `s`. */
const latencyRows = `SELECT s.execution_id, COALESCE(s.llm_model, '') AS model,
    ${latencyBucket("s.started_at", "s.ended_at")}::int AS bucket, count(*)::numeric AS n`;
const LLM_FINISHED = `s.type = 'llm_call' AND s.ended_at IS NOT NULL`;

/** {model: {bucket: count}} per execution from rows (execution_id, model, bucket, n) `h`, zero counts left out. */
const histograms = (rows: string) => `SELECT x.execution_id, jsonb_object_agg(x.model, x.hist) AS hist FROM (
    SELECT y.execution_id, y.model, jsonb_object_agg(y.bucket, y.n) AS hist FROM (
      SELECT h.execution_id, h.model, h.bucket, sum(h.n) AS n FROM (${rows}) h
      GROUP BY 1, 2, 3 HAVING sum(h.n) <> 0) y
    GROUP BY 1, 2) x
  GROUP BY 1`;

const CTX = `ctx AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS c(execution_id text, agent_id text, agent_from_root boolean,
         thread_id text, session_id text, company_id text, identify_type text, identify_value text, external_id text)
     )`;

/**
 * The row derived from `st` (one row per execution: the aggregates with the names of `aggregates`
 * and `hist`), its root span `root` and the batch's context `ctx`; the aggregates are kept.
 */
const SET_FROM_STATE = `
       name = root.name, type = root.type, status = root.status,
       started_at = st.started_at,
       ended_at = CASE WHEN root.status = 'running' THEN NULL ELSE greatest(root.ended_at, st.max_ended) END,
       duration_ms = CASE WHEN root.status = 'running' THEN NULL
         ELSE (extract(epoch FROM (greatest(root.ended_at, st.max_ended) - st.started_at)) * 1000)::bigint END,
       input = ${preview("root.input")}, output = ${preview("root.output")},
       error = COALESCE(root.error, CASE WHEN root.status = 'error' AND st.error_id IS NOT NULL
         THEN (SELECT fe.error FROM spans fe WHERE fe.workspace_id = $1 AND fe.id = st.error_id AND fe.day = ANY(${executionDaysSql("st.day")})) END),
       span_count = st.n, has_conversation = st.conversations > 0,
       -- A total past bigint's range is held at its maximum.
       tokens_input = least(CASE WHEN st.token_spans > 0 THEN st.llm_in ELSE st.all_in END, ${BIGINT_MAX}),
       tokens_output = least(CASE WHEN st.token_spans > 0 THEN st.llm_out ELSE st.all_out END, ${BIGINT_MAX}),
       tokens_total = least(CASE WHEN st.token_spans > 0 THEN st.llm_total ELSE st.all_total END, ${BIGINT_MAX}),
       -- NULL when no call has a cost (lib/costs: only model calls are priced).
       cost = CASE WHEN st.priced > 0 THEN st.cost::float8 END,
       llm_duration_ms = CASE WHEN st.llm_finished > 0 THEN least(st.llm_ms, ${BIGINT_MAX}) END,
       llm_latency = st.hist,
       agent_id = CASE WHEN ctx.agent_from_root THEN ctx.agent_id ELSE e.agent_id END,
       thread_id = COALESCE(ctx.thread_id, e.thread_id), session_id = COALESCE(ctx.session_id, e.session_id),
       company_id = COALESCE(ctx.company_id, e.company_id),
       identify_type = COALESCE(ctx.identify_type, e.identify_type), identify_value = COALESCE(ctx.identify_value, e.identify_value),
       external_id = COALESCE(ctx.external_id, e.external_id),
       -- An execution that spans only left (no agent in the batch) keeps its source.
       source = CASE WHEN ctx.agent_id IS NULL THEN e.source ELSE $3::"TraceSource" END, updated_at = now(),
       rollup_ok = true, agg_max_ended = st.max_ended, agg_conversations = st.conversations,
       agg_token_spans = st.token_spans, agg_llm_input = st.llm_in, agg_llm_output = st.llm_out,
       agg_llm_total = st.llm_total, agg_all_input = st.all_in, agg_all_output = st.all_out,
       agg_all_total = st.all_total, agg_cost = st.cost, agg_priced = st.priced, agg_llm_ms = st.llm_ms,
       agg_llm_finished = st.llm_finished, agg_error_id = st.error_id, agg_error_at = st.error_at,
       agg_root_id = st.root_id
     -- The root by id in its execution's partitions (LIMIT: a subquery of its own, pruned per execution).
     FROM ctx, st, LATERAL (SELECT * FROM spans r WHERE r.workspace_id = $1 AND r.id = st.root_id
       AND r.day = ANY(${executionDaysSql("st.day")}) LIMIT 1) root
     -- ANY: the planner then expects a few executions (see anyOfJsonArray), not ctx's default
     -- hundred rows, for which it scanned all of executions.
     WHERE e.workspace_id = $1 AND e.id = ANY(ARRAY(SELECT c.execution_id FROM ctx c))
       AND e.id = ctx.execution_id AND st.execution_id = ctx.execution_id`;

/**
 * Rolls executions up from all their stored spans: $1 workspace, $2 JSON array of the batch's
 * execution contexts (ExecutionContext with agent_id), $3 the batch's source.
 */
export const ROLLUP_EXECUTIONS = `WITH ${CTX}, agg AS (
       -- Per execution, an index scan of its spans (LATERAL: the plan must not depend on how many
       -- rows the planner expects from the batch's JSON).
       -- The execution's partition day (d) prunes its spans to its partitions while the statement runs.
       SELECT a.*, d.day FROM ctx
       CROSS JOIN LATERAL (SELECT ${executionDaySql("e")} AS day FROM executions e
         WHERE e.workspace_id = $1 AND e.id = ctx.execution_id LIMIT 1) d
       CROSS JOIN LATERAL (
         SELECT ${aggregates("s.error IS NOT NULL")},
           -- Each finished LLM call's model and latency bucket, gathered in the same scan (the two
           -- arrays in the same order): the histogram below needs no second read of the spans.
           array_agg(COALESCE(s.llm_model, '')) FILTER (WHERE ${LLM_FINISHED}) AS llm_models,
           array_agg(${latencyBucket("s.started_at", "s.ended_at")}::int) FILTER (WHERE ${LLM_FINISHED}) AS llm_buckets
         FROM spans s WHERE s.workspace_id = $1 AND s.execution_id = ctx.execution_id AND s.day = ANY(${executionDaysSql("d.day")})
         GROUP BY s.execution_id
       ) a
     ), latency AS (
       -- Its finished LLM calls' durations, for executions that have some (triggers turn changes of
       -- llm_latency into execution_rollups deltas).
       SELECT agg.execution_id, (SELECT h.hist FROM (${histograms(`SELECT agg.execution_id, u.model, u.bucket, 1::numeric AS n
           FROM unnest(agg.llm_models, agg.llm_buckets) AS u(model, bucket)`)}) h) AS hist
       FROM agg WHERE agg.llm_models IS NOT NULL
     ), st AS (
       SELECT agg.*, (SELECT latency.hist FROM latency WHERE latency.execution_id = agg.execution_id) AS hist FROM agg
     )
     UPDATE executions e SET ${SET_FROM_STATE}`;

/**
 * Merges a batch's spans into the kept aggregates of executions (rollup_ok) that gained spans or had
 * versions replaced without moving a minimum, a maximum, the first error or the root (see
 * writeSpans): $1 workspace, $2 contexts of these executions, $3 source, $4 ids of the batch's
 * written spans (text[]), $5 the replaced versions (RemovedSpan[] as JSON), whose part is subtracted,
 * $6 the partition days of these executions' spans (date[]).
 */
export const ROLLUP_INCREMENTAL = `WITH ${CTX}, written AS MATERIALIZED (
       -- By primary key, then by execution: with both conditions in one scan, the generic plan read
       -- an execution's spans by (workspace, execution) and filtered the ids, which is a scan of
       -- every span of a big execution for each batch.
       -- In the partitions of these executions' days ($6) only: by id, each other partition is one
       -- more index probe per span.
       SELECT ${AGGREGATED_SPAN_SELECT} FROM spans s WHERE s.workspace_id = $1 AND s.id = ANY($4::text[])
         AND s.day = ANY($6::date[])
     ), added AS (
       SELECT * FROM written w WHERE w.execution_id = ANY(ARRAY(SELECT c.execution_id FROM ctx c))
     ), removed AS (
       SELECT * FROM jsonb_to_recordset($5::jsonb) AS r(${AGGREGATED_SPAN_COLUMNS})
       WHERE r.execution_id = ANY(ARRAY(SELECT c.execution_id FROM ctx c))
     ), plus AS (
       SELECT ${aggregates("s.has_error")} FROM added s GROUP BY s.execution_id
     ), minus AS (
       SELECT ${aggregates("s.has_error")} FROM removed s GROUP BY s.execution_id
     ), hist_changed AS (
       SELECT DISTINCT s.execution_id FROM (SELECT * FROM added UNION ALL SELECT * FROM removed) s WHERE ${LLM_FINISHED}
     ), hist AS (${histograms(`SELECT e.id AS execution_id, m.key AS model, b.key::int AS bucket, b.value::numeric AS n
           FROM executions e JOIN hist_changed hc ON e.workspace_id = $1 AND e.id = hc.execution_id
           CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(e.llm_latency) = 'object' THEN e.llm_latency ELSE '{}'::jsonb END) m
           CROSS JOIN LATERAL jsonb_each_text(m.value) b
         UNION ALL ${latencyRows} FROM added s WHERE ${LLM_FINISHED} GROUP BY 1, 2, 3
         UNION ALL SELECT q.execution_id, q.model, q.bucket, -q.n FROM (${latencyRows} FROM removed s WHERE ${LLM_FINISHED} GROUP BY 1, 2, 3) q`)}
     ), st AS (
       SELECT ctx.execution_id, ${executionDaySql("e")} AS day,
         least(e.started_at, p.started_at) AS started_at, greatest(e.agg_max_ended, p.max_ended) AS max_ended,
         e.span_count + COALESCE(p.n, 0) - COALESCE(m.n, 0) AS n,
         e.agg_conversations + COALESCE(p.conversations, 0) - COALESCE(m.conversations, 0) AS conversations,
         e.agg_token_spans + COALESCE(p.token_spans, 0) - COALESCE(m.token_spans, 0) AS token_spans,
         e.agg_llm_input + COALESCE(p.llm_in, 0) - COALESCE(m.llm_in, 0) AS llm_in,
         e.agg_llm_output + COALESCE(p.llm_out, 0) - COALESCE(m.llm_out, 0) AS llm_out,
         e.agg_llm_total + COALESCE(p.llm_total, 0) - COALESCE(m.llm_total, 0) AS llm_total,
         e.agg_all_input + COALESCE(p.all_in, 0) - COALESCE(m.all_in, 0) AS all_in,
         e.agg_all_output + COALESCE(p.all_out, 0) - COALESCE(m.all_out, 0) AS all_out,
         e.agg_all_total + COALESCE(p.all_total, 0) - COALESCE(m.all_total, 0) AS all_total,
         e.agg_cost + COALESCE(p.cost, 0) - COALESCE(m.cost, 0) AS cost,
         e.agg_priced + COALESCE(p.priced, 0) - COALESCE(m.priced, 0) AS priced,
         e.agg_llm_ms + COALESCE(p.llm_ms, 0) - COALESCE(m.llm_ms, 0) AS llm_ms,
         e.agg_llm_finished + COALESCE(p.llm_finished, 0) - COALESCE(m.llm_finished, 0) AS llm_finished,
         -- The earliest error, and the best root, of the kept ones and the batch's.
         CASE WHEN p.error_id IS NOT NULL AND (e.agg_error_id IS NULL OR (p.error_at, p.error_id) < (e.agg_error_at, e.agg_error_id))
           THEN p.error_id ELSE e.agg_error_id END AS error_id,
         CASE WHEN p.error_id IS NOT NULL AND (e.agg_error_id IS NULL OR (p.error_at, p.error_id) < (e.agg_error_at, e.agg_error_id))
           THEN p.error_at ELSE e.agg_error_at END AS error_at,
         CASE WHEN pr.id IS NOT NULL AND ((pr.parent_id IS NOT NULL), (pr.type NOT IN ${ROOT_TYPES}), pr.started_at, pr.id)
             < ((kr.parent_id IS NOT NULL), (kr.type NOT IN ${ROOT_TYPES}), kr.started_at, kr.id)
           THEN pr.id ELSE kr.id END AS root_id,
         CASE WHEN hc.execution_id IS NULL THEN e.llm_latency ELSE hist.hist END AS hist
       FROM ctx JOIN executions e ON e.workspace_id = $1 AND e.id = ctx.execution_id
       LEFT JOIN plus p ON p.execution_id = ctx.execution_id
       LEFT JOIN minus m ON m.execution_id = ctx.execution_id
       LEFT JOIN hist_changed hc ON hc.execution_id = ctx.execution_id
       LEFT JOIN hist ON hist.execution_id = ctx.execution_id
       JOIN spans kr ON kr.workspace_id = $1 AND kr.id = e.agg_root_id AND kr.day = ANY($6::date[])
       LEFT JOIN spans pr ON pr.workspace_id = $1 AND pr.id = p.root_id AND pr.day = ANY($6::date[])
     )
     UPDATE executions e SET ${SET_FROM_STATE}
     RETURNING e.id`;
