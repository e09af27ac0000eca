-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "events_retention_days" INTEGER,
ADD COLUMN     "storage_budget_bytes" BIGINT,
ADD COLUMN     "traces_retention_days" INTEGER;
