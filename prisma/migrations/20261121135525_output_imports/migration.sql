-- CreateEnum
CREATE TYPE "OutputImportStatus" AS ENUM ('importing', 'imported', 'failed');

-- CreateTable
CREATE TABLE "output_imports" (
    "workspace_id" TEXT NOT NULL,
    "bucket" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "etag" TEXT NOT NULL,
    "status" "OutputImportStatus" NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "error" TEXT,
    "execution_id" TEXT,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL,
    "imported_at" TIMESTAMPTZ(3),
    "retry_at" TIMESTAMPTZ(3),

    CONSTRAINT "output_imports_pkey" PRIMARY KEY ("workspace_id","bucket","key")
);

-- CreateIndex
CREATE INDEX "output_imports_workspace_id_status_idx" ON "output_imports"("workspace_id", "status");

-- AddForeignKey
ALTER TABLE "output_imports" ADD CONSTRAINT "output_imports_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
