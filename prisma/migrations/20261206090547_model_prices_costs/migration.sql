-- AlterTable
ALTER TABLE "executions" ADD COLUMN     "cost" DOUBLE PRECISION,
ADD COLUMN     "llm_duration_ms" BIGINT;

-- AlterTable
ALTER TABLE "spans" ADD COLUMN     "cost" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "model_prices" (
    "workspace_id" TEXT NOT NULL,
    "prices" JSONB,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "recompute_state" TEXT NOT NULL DEFAULT 'idle',
    "recompute_requested_at" TIMESTAMPTZ(3),
    "recompute_finished_at" TIMESTAMPTZ(3),
    "recompute_spans" INTEGER,
    "recompute_error" TEXT,

    CONSTRAINT "model_prices_pkey" PRIMARY KEY ("workspace_id")
);

-- AddForeignKey
ALTER TABLE "model_prices" ADD CONSTRAINT "model_prices_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
