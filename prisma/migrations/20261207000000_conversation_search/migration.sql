-- The thread search's text, one row per execution and write instead of an index entry per message
-- (issue 21 item 3; docs/architecture.md › Search).
--
-- The thread search finds threads whose conversation_message content contains a text. Until now a
-- partial trigram GIN index on spans (`spans_message_search_trgm`) held every message's trigrams:
-- each message cost about 70 us of Postgres CPU to index, which made OTLP traffic (every LLM call's
-- chat turns are messages) cost twice the native endpoint in Postgres (docs/performance.md › Real
-- traffic). Now a statement trigger on spans writes, per statement and execution, one text: the
-- statement's distinct message texts of that execution, joined by a newline (a message's JSON text
-- never holds a raw newline, so a search without a newline never matches across two messages). An
-- execution's messages mostly arrive together, so one GIN insertion holds the trigrams they share
-- once, and a text its LLM calls repeat (the user's question) is read once.
-- System prompts are left out: the chat view shows them, but an agent's prompt is in every one of its
-- threads (a search for its words would list them all), and it is often the longest text of a call.
-- The search asks this table's index, then groups the executions it finds by thread as before.

CREATE TABLE "conversation_search" (
    "workspace_id" TEXT NOT NULL,
    "execution_id" TEXT NOT NULL,
    -- The smallest message id of the group: a resent statement writes the same key again.
    "first_span_id" TEXT NOT NULL,
    "doc" TEXT NOT NULL,

    CONSTRAINT "conversation_search_pkey" PRIMARY KEY ("workspace_id","execution_id","first_span_id")
);
ALTER TABLE "conversation_search" ADD CONSTRAINT "conversation_search_workspace_id_execution_id_fkey" FOREIGN KEY ("workspace_id", "execution_id") REFERENCES "executions"("workspace_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Messages a statement added: one text per execution. Messages whose execution is not stored (a
-- test's bare rows; the writer always stores the execution first) have nothing to search by thread.
-- A key written before (a span id stored on two days) keeps both texts: nothing found before is lost.
CREATE FUNCTION runlens_conversation_search_insert() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
  INSERT INTO conversation_search (workspace_id, execution_id, first_span_id, doc)
  SELECT a.workspace_id, a.execution_id, min(a.id), string_agg(DISTINCT COALESCE((a.message->'content')::text, ''), E'\n')
  FROM added a
  WHERE a.type = 'conversation_message' AND a.message_role IS DISTINCT FROM 'system'
    AND EXISTS (SELECT 1 FROM executions e WHERE e.workspace_id = a.workspace_id AND e.id = a.execution_id)
  GROUP BY a.workspace_id, a.execution_id
  ON CONFLICT (workspace_id, execution_id, first_span_id) DO UPDATE SET doc = conversation_search.doc || E'\n' || EXCLUDED.doc;
  RETURN NULL;
END
$$;

-- Messages a statement changed (the JSON path's upsert, retention moving a reviewed execution to its
-- keep day) or deleted (the replace path, an execution's deletion): the executions they belong to
-- get their text again from the messages they still have, read on the days those rows had or have
-- (an execution's spans share its day, lib/data/partitions.ts).
CREATE FUNCTION runlens_conversation_search_rebuild(ws text[], ex text[], days date[]) RETURNS void LANGUAGE plpgsql SET jit = off AS $$
BEGIN
  DELETE FROM conversation_search c USING unnest(ws, ex) AS x(workspace_id, execution_id)
  WHERE c.workspace_id = x.workspace_id AND c.execution_id = x.execution_id;
  INSERT INTO conversation_search (workspace_id, execution_id, first_span_id, doc)
  SELECT s.workspace_id, s.execution_id, min(s.id), string_agg(DISTINCT COALESCE((s.message->'content')::text, ''), E'\n')
  FROM unnest(ws, ex) AS x(workspace_id, execution_id)
  JOIN spans s ON s.workspace_id = x.workspace_id AND s.execution_id = x.execution_id
  WHERE s.type = 'conversation_message' AND s.message_role IS DISTINCT FROM 'system' AND s.day = ANY(days)
    AND EXISTS (SELECT 1 FROM executions e WHERE e.workspace_id = s.workspace_id AND e.id = s.execution_id)
  GROUP BY s.workspace_id, s.execution_id;
END
$$;

CREATE FUNCTION runlens_conversation_search_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
  ws text[];
  ex text[];
  days date[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(c.workspace_id), array_agg(c.execution_id) INTO ws, ex FROM (
      SELECT workspace_id, execution_id FROM old_rows WHERE type = 'conversation_message'
      UNION SELECT workspace_id, execution_id FROM new_rows WHERE type = 'conversation_message') c;
    SELECT array_agg(DISTINCT d.day) INTO days FROM (
      SELECT day FROM old_rows WHERE type = 'conversation_message'
      UNION ALL SELECT day FROM new_rows WHERE type = 'conversation_message') d;
  ELSE
    SELECT array_agg(c.workspace_id), array_agg(c.execution_id) INTO ws, ex FROM (
      SELECT DISTINCT workspace_id, execution_id FROM old_rows WHERE type = 'conversation_message') c;
    SELECT array_agg(DISTINCT day) INTO days FROM old_rows WHERE type = 'conversation_message';
  END IF;
  IF ws IS NOT NULL THEN
    PERFORM runlens_conversation_search_rebuild(ws, ex, days);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER spans_conversation_search_insert AFTER INSERT ON spans
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION runlens_conversation_search_insert();
CREATE TRIGGER spans_conversation_search_update AFTER UPDATE ON spans
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION runlens_conversation_search_changed();
CREATE TRIGGER spans_conversation_search_delete AFTER DELETE ON spans
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION runlens_conversation_search_changed();

-- The messages stored so far.
INSERT INTO conversation_search (workspace_id, execution_id, first_span_id, doc)
SELECT s.workspace_id, s.execution_id, min(s.id), string_agg(DISTINCT COALESCE((s.message->'content')::text, ''), E'\n')
FROM spans s
WHERE s.type = 'conversation_message' AND s.message_role IS DISTINCT FROM 'system'
  AND EXISTS (SELECT 1 FROM executions e WHERE e.workspace_id = s.workspace_id AND e.id = s.execution_id)
GROUP BY s.workspace_id, s.execution_id;

-- The trigram index moves from the messages to these texts (where pg_trgm exists, as before).
DROP INDEX IF EXISTS spans_message_search_trgm;
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
  CREATE INDEX IF NOT EXISTS conversation_search_doc_trgm ON conversation_search USING gin (doc gin_trgm_ops);
  RETURN true;
END $e$;
SELECT runlens_ensure_search_indexes();

DO $lz4$
BEGIN
  ALTER TABLE conversation_search ALTER COLUMN doc SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'lz4 compression is not available (%): the texts stay pglz', SQLERRM;
END $lz4$;
