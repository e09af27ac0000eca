import "server-only";
import { anyOfJsonArray } from "../db/sql.ts";
import type { SqlTx } from "../db/transaction.ts";

/**
 * Hourly rollups of track_events (table event_rollups; kinds are documented on the Prisma model).
 * Ingest applies each batch's net change in the transaction that writes the events: the replaced
 * rows count -1, the new ones +1, so a resent or edited event moves its counts instead of adding.
 */

/** Strings longer than this are not rolled up per value (kind 3): ids and texts would bloat it. */
export const ROLLUP_MAX_STRING = 200;

/** The absolute hour of a timestamp, whatever the session time zone. */
export const HOUR_OF = (ts: string) => `date_bin('1 hour', ${ts}, TIMESTAMPTZ '2000-01-01 00:00:00+00')`;

/**
 * Rollup rows (agent_id, name, hour, kind, dim, val, n, num_sum) of `source`, a subquery with
 * columns agent_id, name, ts, properties and sign (+1 or -1), summed per rollup key.
 */
export function rollupDeltaSql(source: string): string {
  return `SELECT s.agent_id, s.name, ${HOUR_OF("s.ts")} AS hour, x.kind, x.dim, x.val,
            sum(s.sign)::bigint AS n, sum(x.num * s.sign) AS num_sum
     FROM (${source}) s
     CROSS JOIN LATERAL (
       SELECT 0::smallint AS kind, ''::text AS dim, 'null'::text AS val, NULL::numeric AS num
       UNION ALL
       SELECT (CASE
                 WHEN jsonb_typeof(p.value) = 'number' THEN 2
                 WHEN jsonb_typeof(p.value) IN ('boolean', 'null') THEN 1
                 WHEN jsonb_typeof(p.value) = 'string' AND length(p.value #>> '{}') <= ${ROLLUP_MAX_STRING} THEN 1
                 ELSE 3
               END)::smallint,
              p.key,
              CASE
                WHEN jsonb_typeof(p.value) IN ('boolean', 'null') THEN p.value::text
                WHEN jsonb_typeof(p.value) = 'string' AND length(p.value #>> '{}') <= ${ROLLUP_MAX_STRING} THEN p.value::text
                ELSE 'null'
              END,
              CASE WHEN jsonb_typeof(p.value) = 'number' THEN p.value::text::numeric END
       FROM jsonb_each(s.properties) p
     ) x
     GROUP BY s.agent_id, s.name, 3, x.kind, x.dim, x.val`;
}

const UPSERT = `ON CONFLICT (workspace_id, agent_id, name, dim, kind, hour, val) DO UPDATE SET
     n = event_rollups.n + EXCLUDED.n,
     num_sum = CASE WHEN EXCLUDED.num_sum IS NULL THEN event_rollups.num_sum
                    ELSE COALESCE(event_rollups.num_sum, 0) + EXCLUDED.num_sum END`;

/**
 * Applies the net rollup change of an event batch, before the batch's upsert: `$1` workspace,
 * `$2` the batch rows as JSON (agent_id, name, properties, timestamp), `$3` their ids as a JSON
 * array (rows stored under those ids are being replaced). Rows are locked in key order, so
 * concurrent batches touching the same hours cannot deadlock.
 */
export async function applyRollupDelta(tx: SqlTx, workspaceId: string, rowsJson: string, idsJson: string) {
  const source = `SELECT t.agent_id, t.name, t.timestamp AS ts, t.properties, -1 AS sign FROM track_events t
                    WHERE t.workspace_id = $1 AND t.id = ${anyOfJsonArray("$3")}
                  UNION ALL
                  SELECT r.agent_id, r.name, r.timestamp, COALESCE(r.properties, '{}'::jsonb), 1
                    FROM jsonb_to_recordset($2::jsonb) AS r(agent_id text, name text, properties jsonb, timestamp timestamptz)`;
  await tx.exec(
    `INSERT INTO event_rollups (workspace_id, agent_id, name, hour, kind, dim, val, n, num_sum)
     SELECT $1::text, d.agent_id, d.name, d.hour, d.kind, d.dim, d.val, d.n, d.num_sum
     FROM (${rollupDeltaSql(source)}) d
     WHERE d.n <> 0 OR COALESCE(d.num_sum, 0) <> 0
     ORDER BY d.agent_id, d.name, d.dim, d.kind, d.hour, d.val
     ${UPSERT}`,
    workspaceId,
    rowsJson,
    idsJson,
  );
}

/**
 * Adds the rollups of a workspace's events (those in [from, to) when given; whole hours, so a
 * range on hour boundaries builds exactly its hours) to an empty range of event_rollups.
 */
export async function buildRollups(
  tx: SqlTx,
  workspaceId: string,
  range?: { from: string; to: string },
): Promise<void> {
  const inRange = range ? "AND timestamp >= $2::timestamptz AND timestamp < $3::timestamptz" : "";
  await tx.exec(
    `INSERT INTO event_rollups (workspace_id, agent_id, name, hour, kind, dim, val, n, num_sum)
     SELECT $1::text, d.agent_id, d.name, d.hour, d.kind, d.dim, d.val, d.n, d.num_sum
     FROM (${rollupDeltaSql(
       `SELECT agent_id, name, timestamp AS ts, properties, 1 AS sign FROM track_events WHERE workspace_id = $1 ${inRange}`,
     )}) d`,
    workspaceId,
    ...(range ? [range.from, range.to] : []),
  );
}

/** Recomputes a workspace's rollups from its events (repair, and the reference tests compare to). */
export async function rebuildRollups(tx: SqlTx, workspaceId: string): Promise<void> {
  await tx.exec("DELETE FROM event_rollups WHERE workspace_id = $1", workspaceId);
  await buildRollups(tx, workspaceId);
}
