-- AlterTable
ALTER TABLE "executions" ALTER COLUMN "duration_ms" SET DATA TYPE BIGINT,
ALTER COLUMN "tokens_input" SET DATA TYPE BIGINT,
ALTER COLUMN "tokens_output" SET DATA TYPE BIGINT,
ALTER COLUMN "tokens_total" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "spans" ADD COLUMN     "version" BIGINT NOT NULL DEFAULT 0,
ALTER COLUMN "tokens_input" SET DATA TYPE BIGINT,
ALTER COLUMN "tokens_output" SET DATA TYPE BIGINT,
ALTER COLUMN "tokens_total" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "track_events" ADD COLUMN     "version" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ingest_failures" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "source" "TraceSource" NOT NULL,
    "kind" TEXT NOT NULL,
    "item_id" TEXT NOT NULL,
    "request_id" TEXT,
    "error" TEXT NOT NULL,
    "job" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_failures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ingest_failures_workspace_id_failed_at_idx" ON "ingest_failures"("workspace_id", "failed_at" DESC);

-- AddForeignKey
ALTER TABLE "ingest_failures" ADD CONSTRAINT "ingest_failures_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
