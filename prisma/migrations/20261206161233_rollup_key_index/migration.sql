-- execution_rollups indexed by its whole key, holding the sums too:
-- * compaction looks up each key's rows (lib/overview/rollups.ts): by period and agent only, a lookup
--   read every model and bucket of that period (hundreds of rows per key; after loading 10 M spans a
--   pass of 20,000 keys took over 20 s);
-- * reads (lib/overview/rollup-sql.ts, the same first five columns) become index-only scans: the rows
--   of one period were written at different times and lie on as many heap pages (a 90-day overview
--   over 10 M spans: 355 ms for the series, 31 ms index-only).
-- The predicate is always true (workspace_id is NOT NULL; every query states workspace_id = …, which
-- implies it): it only keeps Prisma's schema diff, which cannot state INCLUDE, from dropping the index
-- (schema.prisma lists no index for these columns, see the model's comment).
DROP INDEX "execution_rollups_workspace_id_kind_tier_slot_agent_id_idx";

CREATE INDEX "execution_rollups_key_idx" ON "execution_rollups"("workspace_id", "kind", "tier", "slot", "agent_id", "model", "bucket")
  INCLUDE ("n", "errors", "tokens", "cost", "priced", "compacted") WHERE "workspace_id" IS NOT NULL;
