-- Compaction looks up each key's rows (lib/overview/rollups.ts): with the period and agent only, a lookup
-- read every model and bucket of that period (hundreds of rows per key; after loading 10 M spans a
-- pass of 20,000 keys took over 20 s). Reads use the same first five columns.
-- DropIndex
DROP INDEX "execution_rollups_workspace_id_kind_tier_slot_agent_id_idx";

-- CreateIndex
CREATE INDEX "execution_rollups_workspace_id_kind_tier_slot_agent_id_mode_idx" ON "execution_rollups"("workspace_id", "kind", "tier", "slot", "agent_id", "model", "bucket");
