-- Retention (lib/data/retention.ts; docs/architecture.md › Time partitions › Retention) drops a
-- workspace's expired day partitions, then deletes the executions whose spans they held, with
-- `SET LOCAL runlens.retention = on`. Under that setting the delete triggers on executions do
-- nothing: the rollups keep those runs (no negative deltas: Overview and metric cards over old
-- ranges still answer), and the spans are gone with their partition (no DELETE of spans).

CREATE OR REPLACE FUNCTION runlens_execution_rollups_delete() RETURNS trigger LANGUAGE plpgsql
  -- JIT would compile these small statements on every batch: the planner guesses 100 rows per jsonb_each.
  SET jit = off AS $$
BEGIN
  -- Retention drops expired days (lib/data/retention.ts): the runs they held keep their place in
  -- the rollups, which keep the history raw data no longer has.
  IF current_setting('runlens.retention', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO execution_rollups (workspace_id, agent_id, tier, slot, kind, model, bucket, n, errors, tokens, cost, priced)
  SELECT d.workspace_id, d.agent_id, d.tier, d.slot, d.kind, d.model, d.bucket,
         sum(d.n), sum(d.errors), sum(d.tokens), sum(d.cost), sum(d.priced)
  FROM (WITH e AS (SELECT -1 AS sign, r.workspace_id, r.agent_id, r.started_at, r.status = 'error' AS failed, r.duration_ms, r.tokens_total, r.cost, r.llm_latency FROM old_executions r WHERE r.span_count > 0), x AS (
      SELECT e.workspace_id, e.agent_id, e.started_at, 0::smallint AS kind, ''::text AS model,
             runlens_latency_bucket(e.duration_ms) AS bucket, e.sign::bigint AS n, (e.sign * e.failed::int)::bigint AS errors,
             e.sign * e.tokens_total AS tokens, e.sign * COALESCE(e.cost, 0) AS cost, (e.sign * (e.cost IS NOT NULL)::int)::bigint AS priced
      FROM e
      UNION ALL
      SELECT e.workspace_id, e.agent_id, e.started_at, 1::smallint, m.key, b.key::smallint, e.sign * b.value::bigint, 0, 0, 0, 0
      FROM e
      CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(e.llm_latency) = 'object' THEN e.llm_latency ELSE '{}'::jsonb END) m
      CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(m.value) = 'object' THEN m.value ELSE '{}'::jsonb END) b
    )
    SELECT x.workspace_id, t.agent_id, t.tier, runlens_period(t.tier, x.started_at) AS slot, x.kind, x.model, x.bucket,
           x.n, x.errors, x.tokens, x.cost, x.priced
    FROM x CROSS JOIN LATERAL (VALUES (0::smallint, x.agent_id)) AS t(tier, agent_id)) d
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(d.n) <> 0 OR sum(d.errors) <> 0 OR sum(d.tokens) <> 0 OR sum(d.cost) <> 0 OR sum(d.priced) <> 0;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION runlens_delete_execution_spans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('runlens.retention', true) = 'on' THEN
    RETURN NULL;
  END IF;
  DELETE FROM spans s USING deleted_executions d WHERE s.workspace_id = d.workspace_id AND s.execution_id = d.id;
  RETURN NULL;
END
$$;
