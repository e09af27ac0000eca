-- CreateTable
CREATE TABLE "event_rollups" (
    "workspace_id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "dim" TEXT NOT NULL,
    "kind" SMALLINT NOT NULL,
    "val" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "n" BIGINT NOT NULL,
    "num_sum" DECIMAL,

    CONSTRAINT "event_rollups_pkey" PRIMARY KEY ("workspace_id","agent_id","name","dim","kind","hour","val")
);

-- AddForeignKey
ALTER TABLE "event_rollups" ADD CONSTRAINT "event_rollups_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill from the events already stored (lib/metrics/rollups.ts keeps them from now on).
INSERT INTO "event_rollups" ("workspace_id", "agent_id", "name", "hour", "kind", "dim", "val", "n", "num_sum")
SELECT s.workspace_id, s.agent_id, s.name, date_bin('1 hour', s.timestamp, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
       x.kind, x.dim, x.val, count(*), sum(x.num)
FROM "track_events" s
CROSS JOIN LATERAL (
  SELECT 0::smallint AS kind, ''::text AS dim, 'null'::text AS val, NULL::numeric AS num
  UNION ALL
  SELECT (CASE
            WHEN jsonb_typeof(p.value) = 'number' THEN 2
            WHEN jsonb_typeof(p.value) IN ('boolean', 'null') THEN 1
            WHEN jsonb_typeof(p.value) = 'string' AND length(p.value #>> '{}') <= 200 THEN 1
            ELSE 3
          END)::smallint,
         p.key,
         CASE
           WHEN jsonb_typeof(p.value) IN ('boolean', 'null') THEN p.value::text
           WHEN jsonb_typeof(p.value) = 'string' AND length(p.value #>> '{}') <= 200 THEN p.value::text
           ELSE 'null'
         END,
         CASE WHEN jsonb_typeof(p.value) = 'number' THEN p.value::text::numeric END
  FROM jsonb_each(s.properties) p
) x
GROUP BY 1, 2, 3, 4, 5, 6, 7;
