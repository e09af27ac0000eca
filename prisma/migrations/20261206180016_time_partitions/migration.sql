-- Time partitions of spans and track_events (issue 18 item 1; design in docs/architecture.md ›
-- Time partitions). Both tables are partitioned in two levels: LIST (workspace_id), one partitioned
-- table per workspace, then RANGE (day), one partition per UTC day, so retention and the storage
-- budget drop a workspace's day with DROP TABLE instead of deleting rows (lib/data/retention.ts).
-- Two levels, not one RANGE (workspace_id, day): Postgres prunes `day = ANY(...)` and a day taken
-- from a joined row only on a level whose key is the day alone, and a workspace's partitions are
-- then one subtree whose statements never plan another workspace's. A span's day is the day its
-- execution was first stored (executions.created_at never changes, and the writer creates or locks
-- the execution in the span's transaction), so an execution's spans share one partition and a
-- resend within its execution hits that partition's primary key as before. An event's day is its
-- timestamp's. Prisma's schema language cannot state partitioning: schema.prisma declares the
-- columns, keys and indexes (which Prisma reads back from the partitioned parents); the partitions
-- are left out of the schema engine's diff (it does not list tables that are partitions).

-- Where each table's partitions are (one row per workspace and day; see runlens_ensure_partition).
CREATE TABLE "data_partitions" (
    "table_name" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "relname" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_partitions_pkey" PRIMARY KEY ("table_name","workspace_id","day")
);
CREATE UNIQUE INDEX "data_partitions_relname_key" ON "data_partitions"("relname");

-- The old tables step aside (their constraint and index names are the new tables').
ALTER TABLE "spans" RENAME TO "spans_unpartitioned";
ALTER TABLE "spans_unpartitioned" RENAME CONSTRAINT "spans_pkey" TO "spans_unpartitioned_pkey";
ALTER INDEX "spans_workspace_id_execution_id_started_at_idx" RENAME TO "spans_unpartitioned_execution_idx";
ALTER TABLE "track_events" RENAME TO "track_events_unpartitioned";
ALTER TABLE "track_events_unpartitioned" RENAME CONSTRAINT "track_events_pkey" TO "track_events_unpartitioned_pkey";
ALTER TABLE "track_events_unpartitioned" RENAME CONSTRAINT "track_events_workspace_id_fkey" TO "track_events_unpartitioned_workspace_id_fkey";
ALTER TABLE "track_events_unpartitioned" RENAME CONSTRAINT "track_events_agent_id_fkey" TO "track_events_unpartitioned_agent_id_fkey";
ALTER INDEX "track_events_workspace_id_agent_id_name_timestamp_idx" RENAME TO "track_events_unpartitioned_name_idx";
ALTER INDEX IF EXISTS "spans_message_search_trgm" RENAME TO "spans_unpartitioned_message_search_trgm";

-- The partitioned tables: the same columns (defaults, lz4 where it was set) and the day.
CREATE TABLE "spans" (
    LIKE "spans_unpartitioned" INCLUDING DEFAULTS INCLUDING COMPRESSION INCLUDING STORAGE,
    "day" DATE NOT NULL DEFAULT ((now() AT TIME ZONE 'UTC'::text))::date,
    CONSTRAINT "spans_pkey" PRIMARY KEY ("workspace_id", "id", "day")
) PARTITION BY LIST ("workspace_id");
CREATE INDEX "spans_workspace_id_execution_id_started_at_idx" ON "spans"("workspace_id", "execution_id", "started_at");

CREATE TABLE "track_events" (
    LIKE "track_events_unpartitioned" INCLUDING DEFAULTS INCLUDING COMPRESSION INCLUDING STORAGE,
    "day" DATE NOT NULL DEFAULT ((now() AT TIME ZONE 'UTC'::text))::date,
    CONSTRAINT "track_events_pkey" PRIMARY KEY ("workspace_id", "id", "day")
) PARTITION BY LIST ("workspace_id");
CREATE INDEX "track_events_workspace_id_agent_id_name_timestamp_idx" ON "track_events"("workspace_id", "agent_id", "name", "timestamp");
ALTER TABLE "track_events" ADD CONSTRAINT "track_events_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "track_events" ADD CONSTRAINT "track_events_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The safety net: a row of a workspace or a day that has no partition yet (the worker makes them
-- days ahead) is stored in a default partition (the table's, or the workspace's), never refused;
-- making that partition moves such rows into it.
CREATE TABLE "spans_default" PARTITION OF "spans" DEFAULT;
CREATE TABLE "track_events_default" PARTITION OF "track_events" DEFAULT;

-- Makes the partition of table `tbl` for workspace `ws` and day `d` when there is none, and returns
-- its name. First, when the workspace has none, its level: `<tbl>_<md5(ws) 12 hex>`, partitioned by
-- day, with its default partition, holding the workspace's rows from the table's default partition.
-- Then the day: a table of the parent's shape, filled with that day's rows from the workspace's
-- default partition, then attached (ATTACH takes SHARE UPDATE EXCLUSIVE on the parent, so ingest
-- and reads go on; it scans the default partition, which is empty in the normal case). Serialized
-- by an advisory lock. The keep day (1970-01-01) holds reviewed executions past retention.
CREATE FUNCTION runlens_ensure_partition(tbl text, ws text, d date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  wsrel text := tbl || '_' || left(md5(ws), 12);
  rel text := wsrel || '_' || CASE WHEN d = DATE '1970-01-01' THEN 'keep' ELSE to_char(d, 'YYYYMMDD') END;
BEGIN
  IF tbl NOT IN ('spans', 'track_events') THEN
    RAISE EXCEPTION 'runlens_ensure_partition: no partitioned table %', tbl;
  END IF;
  IF EXISTS (SELECT 1 FROM data_partitions p WHERE p.table_name = tbl AND p.workspace_id = ws AND p.day = d) THEN
    RETURN rel;
  END IF;
  PERFORM pg_advisory_xact_lock(72707370);
  IF EXISTS (SELECT 1 FROM data_partitions p WHERE p.table_name = tbl AND p.workspace_id = ws AND p.day = d) THEN
    RETURN rel;
  END IF;
  IF to_regclass(quote_ident(wsrel)) IS NULL THEN
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING COMPRESSION INCLUDING STORAGE) PARTITION BY RANGE (day)', wsrel, tbl);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', wsrel || '_default', wsrel);
    EXECUTE format('WITH m AS (DELETE FROM %I WHERE workspace_id = $1 RETURNING *) INSERT INTO %I SELECT * FROM m',
      tbl || '_default', wsrel) USING ws;
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%L)', tbl, wsrel, ws);
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING COMPRESSION INCLUDING STORAGE)', rel, tbl);
  EXECUTE format('WITH m AS (DELETE FROM %I WHERE day = $1 RETURNING *) INSERT INTO %I SELECT * FROM m',
    wsrel || '_default', rel) USING d;
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', wsrel, rel, d, d + 1);
  INSERT INTO data_partitions (table_name, workspace_id, day, relname) VALUES (tbl, ws, d, rel);
  RETURN rel;
END
$$;

-- The existing rows: a partition for every workspace and day they have, then the rows, then the
-- old tables go. A span's day is its execution's creation day (its reception day when the execution
-- is missing, which the writer never leaves so).
CREATE TEMP TABLE runlens_span_days ON COMMIT DROP AS
  SELECT s.workspace_id, s.id, COALESCE((e.created_at AT TIME ZONE 'UTC')::date, (s.received_at AT TIME ZONE 'UTC')::date) AS day
  FROM spans_unpartitioned s LEFT JOIN executions e ON e.workspace_id = s.workspace_id AND e.id = s.execution_id;
SELECT runlens_ensure_partition('spans', x.workspace_id, x.day)
  FROM (SELECT DISTINCT workspace_id, day FROM runlens_span_days ORDER BY 1, 2) x;
INSERT INTO spans SELECT s.*, d.day FROM spans_unpartitioned s
  JOIN runlens_span_days d ON d.workspace_id = s.workspace_id AND d.id = s.id;
SELECT runlens_ensure_partition('track_events', x.workspace_id, x.day)
  FROM (SELECT DISTINCT workspace_id, (timestamp AT TIME ZONE 'UTC')::date AS day FROM track_events_unpartitioned ORDER BY 1, 2) x;
INSERT INTO track_events SELECT t.*, (t.timestamp AT TIME ZONE 'UTC')::date FROM track_events_unpartitioned t;

-- The thread search's trigram index (migration 20261206150000_search_index), where pg_trgm exists:
-- on the partitioned table, so every partition made later has it too.
SELECT runlens_ensure_search_indexes();

DROP TABLE "spans_unpartitioned";
DROP TABLE "track_events_unpartitioned";

-- TRUNCATE executions empties spans (runlens_truncate_execution_spans) and the delete trigger on
-- executions deletes an execution's spans: both work on the partitioned table unchanged.
