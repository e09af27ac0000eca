-- CreateIndex
CREATE INDEX "executions_workspace_id_source_updated_at_idx" ON "executions"("workspace_id", "source", "updated_at");
