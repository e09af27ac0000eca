-- AlterTable
ALTER TABLE "executions" ADD COLUMN     "llm_latency" JSONB;

-- CreateTable
CREATE TABLE "execution_rollups" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "tier" SMALLINT NOT NULL,
    "slot" TIMESTAMPTZ(3) NOT NULL,
    "kind" SMALLINT NOT NULL,
    "model" TEXT NOT NULL DEFAULT '',
    "bucket" SMALLINT NOT NULL,
    "n" BIGINT NOT NULL,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "tokens" BIGINT NOT NULL DEFAULT 0,
    "cost" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "priced" BIGINT NOT NULL DEFAULT 0,
    "compacted" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "execution_rollups_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "execution_rollups_workspace_id_kind_tier_slot_agent_id_idx" ON "execution_rollups"("workspace_id", "kind", "tier", "slot", "agent_id");

-- CreateIndex
CREATE INDEX "execution_rollups_compacted_idx" ON "execution_rollups"("compacted");

-- CreateIndex
CREATE INDEX "executions_workspace_id_duration_ms_id_idx" ON "executions"("workspace_id", "duration_ms" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "executions_workspace_id_cost_id_idx" ON "executions"("workspace_id", "cost" DESC, "id" DESC);

-- Log bucket of a duration in ms (lib/overview/histogram.ts: bucket 0 is under 1 ms, bucket k holds
-- [1.04^(k-1), 1.04^k)); -1 when there is none.
CREATE FUNCTION runlens_latency_bucket(ms double precision) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE WHEN ms IS NULL OR ms = 'NaN'::double precision THEN -1
               WHEN ms < 1 THEN 0
               ELSE least(floor(ln(ms) / ln(1.04)) + 1, 32000) END)::smallint
$$;

-- The period of tier 0 (15 minutes), 1 (an hour) or 2 (a day) an instant is in, UTC-aligned (every
-- time zone's offset is a multiple of 15 minutes).
CREATE FUNCTION runlens_period(tier smallint, t timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT date_bin(CASE tier WHEN 0 THEN interval '15 minutes' WHEN 1 THEN interval '1 hour' ELSE interval '1 day' END,
                  t, TIMESTAMPTZ '2000-01-01 00:00:00+00')
$$;

-- Existing executions: their LLM calls' histograms, then their rollups as merged rows.
UPDATE executions e SET llm_latency = (SELECT jsonb_object_agg(m.model, m.hist) FROM (
    SELECT b.model, jsonb_object_agg(b.bucket, b.n) AS hist FROM (
      SELECT COALESCE(l.llm_model, '') AS model,
             runlens_latency_bucket(extract(epoch FROM (l.ended_at - l.started_at)) * 1000) AS bucket, count(*) AS n
      FROM spans l WHERE l.workspace_id = e.workspace_id AND l.execution_id = e.id
        AND l.type = 'llm_call' AND l.ended_at IS NOT NULL
      GROUP BY 1, 2) b GROUP BY b.model) m)
  WHERE EXISTS (SELECT 1 FROM spans l WHERE l.workspace_id = e.workspace_id AND l.execution_id = e.id
                  AND l.type = 'llm_call' AND l.ended_at IS NOT NULL);

  INSERT INTO execution_rollups (workspace_id, agent_id, tier, slot, kind, model, bucket, n, errors, tokens, cost, priced, compacted)
  SELECT d.workspace_id, d.agent_id, d.tier, d.slot, d.kind, d.model, d.bucket,
         sum(d.n), sum(d.errors), sum(d.tokens), sum(d.cost), sum(d.priced), true
  FROM (WITH e AS (SELECT 1 AS sign, r.workspace_id, r.agent_id, r.started_at, r.status = 'error' AS failed, r.duration_ms, r.tokens_total, r.cost, r.llm_latency FROM executions r WHERE r.span_count > 0), x AS (
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
    FROM x CROSS JOIN LATERAL (VALUES (0::smallint, x.agent_id), (1::smallint, x.agent_id), (1::smallint, '*'), (2::smallint, x.agent_id), (2::smallint, '*')) AS t(tier, agent_id)) d
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(d.n) <> 0 OR sum(d.errors) <> 0 OR sum(d.tokens) <> 0 OR sum(d.cost) <> 0 OR sum(d.priced) <> 0;

-- Every change of executions, whatever writes it (ingest, cost recompute, deletes, a workspace's
-- cascade), adds its rollup deltas in the same transaction: new rows +1, old rows -1 (keys that
-- cancel out are not written). Append-only, so concurrent ingest never waits on a shared rollup
-- row; compaction (lib/overview/rollups.ts) merges them. An execution without spans (the row ingest
-- creates before its spans, rolled up in the same transaction; one whose spans all moved away) is
-- not a run and counts nowhere. Triggers write 15-minute rows (tier 0) only; compaction carries
-- their sums up into the hours and days (tiers 1 and 2) of the agent and of all agents ("*"), and
-- readers add the tier-0 rows not compacted yet to the hours and days they read.
CREATE FUNCTION runlens_execution_rollups_insert() RETURNS trigger LANGUAGE plpgsql
  -- JIT would compile these small statements on every batch: the planner guesses 100 rows per jsonb_each.
  SET jit = off AS $$
BEGIN
  INSERT INTO execution_rollups (workspace_id, agent_id, tier, slot, kind, model, bucket, n, errors, tokens, cost, priced)
  SELECT d.workspace_id, d.agent_id, d.tier, d.slot, d.kind, d.model, d.bucket,
         sum(d.n), sum(d.errors), sum(d.tokens), sum(d.cost), sum(d.priced)
  FROM (WITH e AS (SELECT 1 AS sign, r.workspace_id, r.agent_id, r.started_at, r.status = 'error' AS failed, r.duration_ms, r.tokens_total, r.cost, r.llm_latency FROM new_executions r WHERE r.span_count > 0), x AS (
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

CREATE FUNCTION runlens_execution_rollups_update() RETURNS trigger LANGUAGE plpgsql
  -- JIT would compile these small statements on every batch: the planner guesses 100 rows per jsonb_each.
  SET jit = off AS $$
BEGIN
  INSERT INTO execution_rollups (workspace_id, agent_id, tier, slot, kind, model, bucket, n, errors, tokens, cost, priced)
  SELECT d.workspace_id, d.agent_id, d.tier, d.slot, d.kind, d.model, d.bucket,
         sum(d.n), sum(d.errors), sum(d.tokens), sum(d.cost), sum(d.priced)
  FROM (WITH e AS (SELECT 1 AS sign, r.workspace_id, r.agent_id, r.started_at, r.status = 'error' AS failed, r.duration_ms, r.tokens_total, r.cost, r.llm_latency FROM new_executions r WHERE r.span_count > 0 UNION ALL SELECT -1 AS sign, r.workspace_id, r.agent_id, r.started_at, r.status = 'error' AS failed, r.duration_ms, r.tokens_total, r.cost, r.llm_latency FROM old_executions r WHERE r.span_count > 0), x AS (
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

CREATE FUNCTION runlens_execution_rollups_delete() RETURNS trigger LANGUAGE plpgsql
  -- JIT would compile these small statements on every batch: the planner guesses 100 rows per jsonb_each.
  SET jit = off AS $$
BEGIN
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

CREATE TRIGGER executions_rollups_insert AFTER INSERT ON executions
  REFERENCING NEW TABLE AS new_executions
  FOR EACH STATEMENT EXECUTE FUNCTION runlens_execution_rollups_insert();
CREATE TRIGGER executions_rollups_update AFTER UPDATE ON executions
  REFERENCING OLD TABLE AS old_executions NEW TABLE AS new_executions
  FOR EACH STATEMENT EXECUTE FUNCTION runlens_execution_rollups_update();
CREATE TRIGGER executions_rollups_delete AFTER DELETE ON executions
  REFERENCING OLD TABLE AS old_executions
  FOR EACH STATEMENT EXECUTE FUNCTION runlens_execution_rollups_delete();

CREATE FUNCTION runlens_truncate_execution_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE execution_rollups;
  RETURN NULL;
END
$$;

CREATE TRIGGER executions_truncate_rollups AFTER TRUNCATE ON executions
  FOR EACH STATEMENT EXECUTE FUNCTION runlens_truncate_execution_rollups();
