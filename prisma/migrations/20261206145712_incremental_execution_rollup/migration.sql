-- The aggregates an execution's row is derived from, kept on the row (lib/ingest/write/rollup.ts):
-- a batch that adds spans to an execution merges its own spans into them instead of reading all the
-- execution's stored spans again. Rows written before have rollup_ok = false and are rolled up from
-- all their spans by the next batch that touches them, which keeps their aggregates from then on.
-- AlterTable
ALTER TABLE "executions" ADD COLUMN     "agg_all_input" DECIMAL,
ADD COLUMN     "agg_all_output" DECIMAL,
ADD COLUMN     "agg_all_total" DECIMAL,
ADD COLUMN     "agg_conversations" INTEGER,
ADD COLUMN     "agg_cost" DECIMAL,
ADD COLUMN     "agg_error_at" TIMESTAMPTZ(3),
ADD COLUMN     "agg_error_id" TEXT,
ADD COLUMN     "agg_llm_finished" INTEGER,
ADD COLUMN     "agg_llm_input" DECIMAL,
ADD COLUMN     "agg_llm_ms" DECIMAL,
ADD COLUMN     "agg_llm_output" DECIMAL,
ADD COLUMN     "agg_llm_total" DECIMAL,
ADD COLUMN     "agg_max_ended" TIMESTAMPTZ(3),
ADD COLUMN     "agg_priced" INTEGER,
ADD COLUMN     "agg_root_id" TEXT,
ADD COLUMN     "agg_token_spans" INTEGER,
ADD COLUMN     "rollup_ok" BOOLEAN NOT NULL DEFAULT false;
