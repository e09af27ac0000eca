-- Search that scales (issue 18 item 5; decision in docs/architecture.md, "Search").
--
-- The executions search (`q`) and the thread search match a substring in any case and accent:
-- the query becomes a case-insensitive regular expression in which each letter is the class of
-- its accented forms (lib/traces/search.ts), so stored text needs no folding (a folding function
-- such as translate() or unaccent costs 35 us to 2 ms per preview on every write), and pg_trgm's
-- GIN indexes answer regular expressions as they answer LIKE.

-- What the executions search reads of an execution: its name and its input and output previews as
-- JSON text (what ILIKE read before), and its error (users paste error messages).
CREATE OR REPLACE FUNCTION runlens_execution_search_doc(name text, input jsonb, output jsonb, error jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $doc$ SELECT coalesce(name, '') || E'\n' || coalesce(input::text, '') || E'\n' || coalesce(output::text, '')
    || E'\n' || coalesce(error::text, '') $doc$;

-- One row per execution, in its own table rather than an indexed column of executions: every
-- rollup rewrites an execution's row (counts, tokens, cost), which would re-insert the whole text's
-- trigrams into the index each time; this row changes only when name, input, output, error or the
-- start do. The start is here so that a search walks or sorts its matches in the list's order
-- without reading executions (lib/traces/executions.ts).
CREATE TABLE "execution_search" (
    "workspace_id" TEXT NOT NULL,
    "execution_id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "doc" TEXT NOT NULL,

    CONSTRAINT "execution_search_pkey" PRIMARY KEY ("workspace_id","execution_id")
);
CREATE INDEX "execution_search_workspace_id_started_at_execution_id_idx" ON "execution_search"("workspace_id", "started_at" DESC, "execution_id" DESC);
ALTER TABLE "execution_search" ADD CONSTRAINT "execution_search_workspace_id_execution_id_fkey" FOREIGN KEY ("workspace_id", "execution_id") REFERENCES "executions"("workspace_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE OR REPLACE FUNCTION runlens_execution_search_write() RETURNS trigger
  LANGUAGE plpgsql AS $w$
BEGIN
  INSERT INTO execution_search (workspace_id, execution_id, started_at, doc)
  VALUES (NEW.workspace_id, NEW.id, NEW.started_at, runlens_execution_search_doc(NEW.name, NEW.input, NEW.output, NEW.error))
  ON CONFLICT (workspace_id, execution_id) DO UPDATE SET started_at = EXCLUDED.started_at, doc = EXCLUDED.doc;
  RETURN NULL;
END $w$;

-- The ingest writer first inserts a placeholder (named by its id, no previews) and rolls it up in the
-- same transaction: the placeholder gets no row, the rollup writes it (one upsert, not two).
CREATE TRIGGER executions_search_insert AFTER INSERT ON executions
  FOR EACH ROW WHEN (NOT (NEW.name = NEW.id AND NEW.input IS NULL AND NEW.output IS NULL AND NEW.error IS NULL))
  EXECUTE FUNCTION runlens_execution_search_write();
CREATE TRIGGER executions_search_update AFTER UPDATE OF name, input, output, error, started_at ON executions
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.input IS DISTINCT FROM NEW.input
    OR OLD.output IS DISTINCT FROM NEW.output OR OLD.error IS DISTINCT FROM NEW.error
    OR OLD.started_at IS DISTINCT FROM NEW.started_at
    OR (OLD.name = OLD.id AND OLD.input IS NULL AND OLD.output IS NULL AND OLD.error IS NULL))
  EXECUTE FUNCTION runlens_execution_search_write();

-- The planner picks between collecting the index's matches and walking the start index by how
-- many rows it expects a search to match, which it estimates by trying the expression on the
-- column's histogram: 500 entries (instead of 100) tell a text in 1% of executions from one in
-- 0.01% (bench:lifecycle: "rate limit reached" in 1.2% took 3.4 s through the index, 80 ms walking).
ALTER TABLE execution_search ALTER COLUMN doc SET STATISTICS 500;

INSERT INTO execution_search (workspace_id, execution_id, started_at, doc)
SELECT workspace_id, id, started_at, runlens_execution_search_doc(name, input, output, error) FROM executions;

-- Trigram GIN indexes where pg_trgm exists (on Postgres a trusted extension since 13: a database
-- owner may create it; the embedded database loads it, lib/db/client.ts). Without it the same
-- queries scan (as ILIKE did). After installing pg_trgm later: SELECT runlens_ensure_search_indexes();
CREATE OR REPLACE FUNCTION runlens_ensure_search_indexes() RETURNS boolean
  LANGUAGE plpgsql AS $e$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): searches scan instead of using an index', SQLERRM;
    RETURN false;
  END;
  CREATE INDEX IF NOT EXISTS execution_search_doc_trgm ON execution_search USING gin (doc gin_trgm_ops);
  CREATE INDEX IF NOT EXISTS spans_message_search_trgm ON spans
    USING gin (((message->'content')::text) gin_trgm_ops) WHERE type = 'conversation_message';
  RETURN true;
END $e$;
SELECT runlens_ensure_search_indexes();

-- Payload columns compressed with lz4 where the server is built with it (faster to compress and
-- read than pglz); elsewhere (the embedded database) they stay pglz. Applies to values written
-- from now on; stored values keep their compression.
DO $lz4$
BEGIN
  ALTER TABLE spans ALTER COLUMN input SET COMPRESSION lz4, ALTER COLUMN output SET COMPRESSION lz4,
    ALTER COLUMN metadata SET COMPRESSION lz4, ALTER COLUMN error SET COMPRESSION lz4,
    ALTER COLUMN llm SET COMPRESSION lz4, ALTER COLUMN message SET COMPRESSION lz4;
  ALTER TABLE executions ALTER COLUMN input SET COMPRESSION lz4, ALTER COLUMN output SET COMPRESSION lz4,
    ALTER COLUMN error SET COMPRESSION lz4;
  ALTER TABLE execution_search ALTER COLUMN doc SET COMPRESSION lz4;
  ALTER TABLE track_events ALTER COLUMN properties SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'lz4 compression is not available (%): payloads stay pglz', SQLERRM;
END $lz4$;
