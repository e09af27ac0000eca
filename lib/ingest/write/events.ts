import "server-only";
import type { Db } from "../../db/index.ts";
import { anyOfJsonArray } from "../../db/sql.ts";
import { withTransaction } from "../../db/transaction.ts";
import { applyRollupDelta } from "../../metrics/rollups.ts";
import type { EventBatch } from "../model.ts";
import { cleanRows } from "../serialize.ts";
import { newerEvent, newestById } from "../version.ts";
import { resolveAgents } from "./agents.ts";

function jsonType(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return "array";
  const t = typeof v;
  return t === "number" || t === "string" || t === "boolean" || t === "object" ? t : null;
}

/** The columns of track_events that an event batch's JSON rows carry, as `r`. */
const EVENT_ROWS = `jsonb_to_recordset($2::jsonb) AS r(id text, agent_id text, name text, properties jsonb,
  timestamp timestamptz, thread_id text, execution_id text, version bigint)`;

/**
 * Writes track events (insert, or replace a stored version that is not newer) and keeps rollups,
 * the event catalog and property types exact, also when the same ids are delivered by several
 * transactions at once. `track_events` is partitioned by workspace and the day of the event's
 * timestamp (lib/data/partitions.ts), so its primary key (workspace_id, id, day) no longer keeps an
 * id unique: a resend with another day's timestamp must find the stored row in another partition.
 * So the batch first takes a transaction lock per id (advisory, in key order: of two concurrent
 * deliveries of an id, the second waits for the first to commit), then reads the stored versions
 * of its ids in all the workspace's partitions (one index probe per partition and id: events come
 * in far smaller numbers than spans), inserts the new ids and replaces the stored rows it
 * outranks, moving them to their new day's partition when the timestamp's day changed.
 */
export async function writeEventBatch(db: Db, batch: EventBatch): Promise<{ names: string[] }> {
  const events = cleanRows(newestById(batch.events, newerEvent));
  if (events.length === 0) return { names: [] };
  await withTransaction(db, async (tx) => {
    const agents = await resolveAgents(
      tx,
      batch.workspaceId,
      events.map((e) => e.agent),
    );
    const rows = events.map((e) => ({ ...e, agent_id: agents.get(e.agent)! }));
    const ids = JSON.stringify(rows.map((r) => r.id));
    await tx.exec(
      `SELECT count(pg_advisory_xact_lock(k.key)) FROM (
         SELECT DISTINCT hashtextextended($1 || E'\\n' || i.id, 72707371) AS key
         FROM jsonb_array_elements_text($2::jsonb) AS i(id) ORDER BY 1) k`,
      batch.workspaceId,
      ids,
    );
    // Stored ids: their rows locked (so catalog and rollups move only by what really changed), and
    // replaced by versions that are not older.
    const old = await tx.query<{ id: string; agent_id: string; name: string; version: string | number }>(
      `SELECT id, agent_id, name, version FROM track_events
         WHERE workspace_id = $1 AND id = ${anyOfJsonArray("$2")} ORDER BY id FOR UPDATE`,
      batch.workspaceId,
      ids,
    );
    const oldById = new Map(old.map((o) => [o.id, o]));
    const fresh = rows.filter((r) => !oldById.has(r.id));
    const inserted = new Set(
      fresh.length
        ? (
            await tx.query<{ id: string }>(
              `INSERT INTO track_events (workspace_id, id, agent_id, name, properties, timestamp, thread_id, execution_id, version, received_at, day)
                 SELECT $1::text, r.id, r.agent_id, r.name, COALESCE(r.properties, '{}'::jsonb), r.timestamp, r.thread_id,
                   r.execution_id, COALESCE(r.version, 0), now(), (r.timestamp AT TIME ZONE 'UTC')::date
                 FROM ${EVENT_ROWS} ORDER BY r.id
                 ON CONFLICT (workspace_id, id, day) DO NOTHING
                 RETURNING id`,
              batch.workspaceId,
              JSON.stringify(fresh),
            )
          ).map((r) => r.id)
        : [],
    );
    const stored = rows.filter((r) => oldById.has(r.id));
    const replaced = stored.filter((r) => {
      const o = oldById.get(r.id);
      return o !== undefined && (r.version ?? 0) >= Number(o.version);
    });
    const written = [...rows.filter((r) => inserted.has(r.id)), ...replaced];
    if (written.length === 0) return;
    // The net change: new rows +1, replaced ones -1 for the stored version (read before the update
    // below) and +1 for the new one.
    await applyRollupDelta(tx, batch.workspaceId, JSON.stringify(written), JSON.stringify(replaced.map((r) => r.id)));
    if (replaced.length)
      await tx.exec(
        `UPDATE track_events t SET agent_id = r.agent_id, name = r.name, properties = COALESCE(r.properties, '{}'::jsonb),
             timestamp = r.timestamp, thread_id = r.thread_id, execution_id = r.execution_id,
             version = COALESCE(r.version, 0), received_at = now(), day = (r.timestamp AT TIME ZONE 'UTC')::date
           FROM ${EVENT_ROWS} WHERE t.workspace_id = $1 AND t.id = r.id`,
        batch.workspaceId,
        JSON.stringify(replaced),
      );

    const catalog = new Map<string, { agent_id: string; name: string; delta: number; first: string; last: string }>();
    const bump = (agent_id: string, name: string, delta: number, at: string | null) => {
      const k = `${agent_id}\u0000${name}`;
      const c = catalog.get(k) ?? { agent_id, name, delta: 0, first: at ?? "", last: at ?? "" };
      c.delta += delta;
      if (at) {
        if (!c.first || at < c.first) c.first = at;
        if (!c.last || at > c.last) c.last = at;
      }
      catalog.set(k, c);
    };
    const props = new Map<string, { agent_id: string; event_name: string; key: string; types: Set<string> }>();
    for (const r of written) {
      const prev = oldById.get(r.id);
      if (inserted.has(r.id)) bump(r.agent_id, r.name, 1, r.timestamp);
      else if (prev && (prev.agent_id !== r.agent_id || prev.name !== r.name)) {
        bump(prev.agent_id, prev.name, -1, null);
        bump(r.agent_id, r.name, 1, r.timestamp);
      } else bump(r.agent_id, r.name, 0, r.timestamp);
      for (const [key, value] of Object.entries(r.properties)) {
        const t = jsonType(value);
        if (!t) continue;
        const k = `${r.agent_id}\u0000${r.name}\u0000${key}`;
        const p = props.get(k) ?? { agent_id: r.agent_id, event_name: r.name, key, types: new Set<string>() };
        p.types.add(t);
        props.set(k, p);
      }
    }
    const catalogRows = [...catalog.values()].sort((a, b) => (a.agent_id + a.name < b.agent_id + b.name ? -1 : 1));
    const catalogJson = JSON.stringify(
      catalogRows.map((c) => ({ ...c, first: c.first || null, last: c.last || null })),
    );
    await tx.exec(
      `INSERT INTO event_catalog (workspace_id, agent_id, name, count, first_seen_at, last_seen_at)
         SELECT $1::text, c.agent_id, c.name, 0, COALESCE(c.first, now()), COALESCE(c.last, now())
         FROM jsonb_to_recordset($2::jsonb) AS c(agent_id text, name text, first timestamptz, last timestamptz)
         ON CONFLICT (workspace_id, agent_id, name) DO NOTHING`,
      batch.workspaceId,
      catalogJson,
    );
    await tx.exec(
      `UPDATE event_catalog e SET count = greatest(e.count + c.delta, 0),
           first_seen_at = least(e.first_seen_at, COALESCE(c.first, e.first_seen_at)),
           last_seen_at = greatest(e.last_seen_at, COALESCE(c.last, e.last_seen_at))
         FROM jsonb_to_recordset($2::jsonb) AS c(agent_id text, name text, delta bigint, first timestamptz, last timestamptz)
         WHERE e.workspace_id = $1 AND e.agent_id = c.agent_id AND e.name = c.name`,
      batch.workspaceId,
      catalogJson,
    );
    if (props.size > 0) {
      const propRows = [...props.values()]
        .map((p) => ({ ...p, types: [...p.types].sort() }))
        .sort((a, b) => (a.agent_id + a.event_name + a.key < b.agent_id + b.event_name + b.key ? -1 : 1));
      await tx.exec(
        `INSERT INTO event_properties (workspace_id, agent_id, event_name, key, types)
           SELECT $1::text, p.agent_id, p.event_name, p.key, ARRAY(SELECT jsonb_array_elements_text(p.types))
           FROM jsonb_to_recordset($2::jsonb) AS p(agent_id text, event_name text, key text, types jsonb)
           ON CONFLICT (workspace_id, agent_id, event_name, key) DO UPDATE SET
             types = ARRAY(SELECT DISTINCT t FROM unnest(event_properties.types || EXCLUDED.types) AS t ORDER BY t)
           WHERE NOT (EXCLUDED.types <@ event_properties.types)`,
        batch.workspaceId,
        JSON.stringify(propRows),
      );
    }
  });
  return { names: [...new Set(events.map((e) => e.name))] };
}
