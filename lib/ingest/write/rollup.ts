import "server-only";
import { anyOfJsonArray } from "../../db/sql.ts";
import { latencyBucket } from "../../overview/histogram.ts";

/**
 * The execution rollup: an execution's row is derived from all its stored spans (root span, counts,
 * tokens, cost, time in model calls, first error), recomputed in the transaction that writes its spans.
 */

/** Locks execution rows ($2: JSON array of ids) in id order. */
export const LOCK_EXECUTIONS = `SELECT 1 FROM executions WHERE workspace_id = $1 AND id = ${anyOfJsonArray("$2")}
  ORDER BY id FOR UPDATE`;

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
 * Rolls executions up from all their stored spans: $1 workspace, $2 JSON array of the batch's
 * execution contexts (ExecutionContext with agent_id), $3 the batch's source.
 */
export const ROLLUP_EXECUTIONS = `WITH ctx AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS c(execution_id text, agent_id text, agent_from_root boolean,
         thread_id text, session_id text, company_id text, identify_type text, identify_value text, external_id text)
     ), agg AS (
       -- Per execution, an index scan of its spans (LATERAL: the plan must not depend on how many
       -- rows the planner expects from the batch's JSON). The root span is chosen on narrow columns.
       SELECT ctx.execution_id, a.started_at, a.max_ended, a.span_count, a.has_conversation, a.has_llm_tokens,
         a.llm_in, a.llm_out, a.llm_total, a.all_in, a.all_out, a.all_total, a.cost, a.llm_ms, a.first_error, a.root_id, a.llm_calls
       FROM ctx CROSS JOIN LATERAL (
         SELECT min(s.started_at) AS started_at, max(s.ended_at) AS max_ended, count(*)::int AS span_count,
           bool_or(s.type = 'conversation_message') AS has_conversation,
           bool_or(s.type IN ${MODEL_TYPES} AND s.tokens_total IS NOT NULL) AS has_llm_tokens,
           COALESCE(sum(s.tokens_input) FILTER (WHERE s.type IN ${MODEL_TYPES}), 0) AS llm_in,
           COALESCE(sum(s.tokens_output) FILTER (WHERE s.type IN ${MODEL_TYPES}), 0) AS llm_out,
           COALESCE(sum(s.tokens_total) FILTER (WHERE s.type IN ${MODEL_TYPES}), 0) AS llm_total,
           COALESCE(sum(s.tokens_input), 0) AS all_in, COALESCE(sum(s.tokens_output), 0) AS all_out,
           COALESCE(sum(s.tokens_total), 0) AS all_total,
           -- NULL when no call has a cost (lib/costs: only model calls are priced).
           sum(s.cost) AS cost,
           sum((extract(epoch FROM (s.ended_at - s.started_at)) * 1000)::bigint)
             FILTER (WHERE s.type IN ${MODEL_TYPES} AND s.ended_at IS NOT NULL) AS llm_ms,
           (array_agg(s.error ORDER BY s.started_at) FILTER (WHERE s.error IS NOT NULL))[1] AS first_error,
           (array_agg(s.id ORDER BY (s.parent_id IS NULL) DESC, (s.type IN ${ROOT_TYPES}) DESC, s.started_at, s.id))[1] AS root_id,
           count(*) FILTER (WHERE s.type = 'llm_call' AND s.ended_at IS NOT NULL) AS llm_calls
         FROM spans s WHERE s.workspace_id = $1 AND s.execution_id = ctx.execution_id
         GROUP BY s.execution_id
       ) a
     ), latency AS (
       -- Its finished LLM calls' durations as {model: {bucket: count}}, read only for executions
       -- that have some (triggers turn changes of it into execution_rollups deltas).
       SELECT agg.execution_id, (SELECT jsonb_object_agg(m.model, m.hist) FROM (
           SELECT b.model, jsonb_object_agg(b.bucket, b.n) AS hist FROM (
             SELECT COALESCE(l.llm_model, '') AS model, ${latencyBucket("l.started_at", "l.ended_at")} AS bucket, count(*) AS n
             FROM spans l WHERE l.workspace_id = $1 AND l.execution_id = agg.execution_id
               AND l.type = 'llm_call' AND l.ended_at IS NOT NULL
             GROUP BY 1, 2) b GROUP BY b.model) m) AS llm_latency
       FROM agg WHERE agg.llm_calls > 0
     ), root AS (
       SELECT agg.execution_id, s.name, s.type, s.status, s.ended_at, s.input, s.output, s.error
       FROM agg JOIN spans s ON s.workspace_id = $1 AND s.id = agg.root_id
     )
     UPDATE executions e SET
       name = root.name, type = root.type, status = root.status,
       started_at = agg.started_at,
       ended_at = CASE WHEN root.status = 'running' THEN NULL ELSE greatest(root.ended_at, agg.max_ended) END,
       duration_ms = CASE WHEN root.status = 'running' THEN NULL
         ELSE (extract(epoch FROM (greatest(root.ended_at, agg.max_ended) - agg.started_at)) * 1000)::bigint END,
       input = ${preview("root.input")}, output = ${preview("root.output")},
       error = COALESCE(root.error, CASE WHEN root.status = 'error' THEN agg.first_error END),
       span_count = agg.span_count, has_conversation = agg.has_conversation,
       -- Sums of bigint are numeric: a total past bigint's range is held at its maximum.
       tokens_input = least(CASE WHEN agg.has_llm_tokens THEN agg.llm_in ELSE agg.all_in END, ${BIGINT_MAX}),
       tokens_output = least(CASE WHEN agg.has_llm_tokens THEN agg.llm_out ELSE agg.all_out END, ${BIGINT_MAX}),
       tokens_total = least(CASE WHEN agg.has_llm_tokens THEN agg.llm_total ELSE agg.all_total END, ${BIGINT_MAX}),
       cost = agg.cost, llm_duration_ms = least(agg.llm_ms, ${BIGINT_MAX}),
       llm_latency = (SELECT latency.llm_latency FROM latency WHERE latency.execution_id = ctx.execution_id),
       agent_id = CASE WHEN ctx.agent_from_root THEN ctx.agent_id ELSE e.agent_id END,
       thread_id = COALESCE(ctx.thread_id, e.thread_id), session_id = COALESCE(ctx.session_id, e.session_id),
       company_id = COALESCE(ctx.company_id, e.company_id),
       identify_type = COALESCE(ctx.identify_type, e.identify_type), identify_value = COALESCE(ctx.identify_value, e.identify_value),
       external_id = COALESCE(ctx.external_id, e.external_id),
       -- An execution that spans only left (no agent in the batch) keeps its source.
       source = CASE WHEN ctx.agent_id IS NULL THEN e.source ELSE $3::"TraceSource" END, updated_at = now()
     FROM ctx, agg, root
     -- ANY: the planner then expects a few executions (see anyOfJsonArray), not ctx's default
     -- hundred rows, for which it scanned all of executions.
     WHERE e.workspace_id = $1 AND e.id = ANY(ARRAY(SELECT c.execution_id FROM ctx c))
       AND e.id = ctx.execution_id AND agg.execution_id = ctx.execution_id AND root.execution_id = ctx.execution_id`;
