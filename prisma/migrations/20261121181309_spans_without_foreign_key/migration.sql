-- DropForeignKey
ALTER TABLE "spans" DROP CONSTRAINT "spans_workspace_id_execution_id_fkey";

-- The foreign key above cost a lookup in executions for every inserted span. What it did is kept:
-- the ingest writer creates each span's execution, and locks it, in the span's own transaction;
-- and an execution's spans are deleted with it (ON DELETE CASCADE before), including when its
-- workspace is deleted (workspaces -> executions cascades, and these triggers fire for it).
CREATE FUNCTION runlens_delete_execution_spans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM spans s USING deleted_executions d WHERE s.workspace_id = d.workspace_id AND s.execution_id = d.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER executions_delete_spans AFTER DELETE ON executions
  REFERENCING OLD TABLE AS deleted_executions
  FOR EACH STATEMENT EXECUTE FUNCTION runlens_delete_execution_spans();

-- TRUNCATE executions empties spans too (TRUNCATE ... CASCADE did before).
CREATE FUNCTION runlens_truncate_execution_spans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE spans;
  RETURN NULL;
END
$$;

CREATE TRIGGER executions_truncate_spans AFTER TRUNCATE ON executions
  FOR EACH STATEMENT EXECUTE FUNCTION runlens_truncate_execution_spans();
