-- CreateTable
CREATE TABLE "deletion_records" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "target" JSONB NOT NULL,
    "actor" TEXT NOT NULL,
    "executions" INTEGER NOT NULL,
    "spans" INTEGER NOT NULL,
    "events" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deletion_records_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "deletion_records_workspace_id_created_at_idx" ON "deletion_records"("workspace_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "deletion_records" ADD CONSTRAINT "deletion_records_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
