import "server-only";
import type { QueryConfig } from "pg";
import { NotFoundError } from "../errors.ts";
import { logger } from "../log.ts";
import { processGlobal } from "../process-global.ts";
import { unavailability } from "../unavailable.ts";
import type { Db, ReadReplicas } from "./client.ts";

/**
 * Reads on streaming replicas (DATABASE_READ_URL). Only the read-only paths call `readFrom`
 * (executions list, details, outline, span, chain, messages, threads, metric queries, the overview,
 * the training export); everything else, and everything read inside a write, uses the primary.
 *
 * - A replica is picked round-robin among those that are up and not too far behind.
 * - Lag is read on the replica, at most once a second per process: zero when it has replayed all
 *   the WAL it received, else the time since the last transaction it replayed. Past `maxLagMs` the
 *   replica is skipped until it catches up. (A replica cut off from its primary receives nothing and
 *   so looks current: its monitoring is the operator's.)
 * - A connection error or timeout on a replica (and a query cancelled by a recovery conflict)
 *   answers from the primary, and the replica is left alone for `DOWN_MS`.
 * - A "not found" from a replica is asked again of the primary: what a lagging replica has not
 *   replayed yet (an execution a live notice just named) is found there.
 * - After this process wrote to a workspace through a service that calls `noteWrite` (deletions,
 *   reviews), that workspace reads from the primary for `maxLagMs`: a page shown right after the
 *   user's change never comes from a replica that has not replayed it. Other web processes do not
 *   know of the write; they may show the older state for as long as their replica lags.
 */

const DOWN_MS = 5_000;
const LAG_CHECK_MS = 1_000;
/** A replica that takes longer than this to say how far behind it is counts as down. */
const LAG_CHECK_TIMEOUT_MS = 2_000;

/**
 * Zero when the replica has replayed every WAL record it received (also when it is not in
 * recovery at all), else milliseconds since the last transaction it replayed (unknown: Infinity).
 */
const LAG_SQL = `SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000, 'Infinity')
END::float8 AS lag_ms`;

type ReplicaState = {
  downUntil: number;
  lagAt: number;
  lagMs: number;
  pending?: Promise<number | null>;
  behind: boolean;
};

const states = processGlobal("__runlensReplicaStates", () => ({
  byDb: new WeakMap<Db, ReplicaState>(),
  next: 0,
  /** Workspace id → when this process last wrote to it through `noteWrite`. */
  writes: new Map<string, number>(),
}));

function stateOf(db: Db): ReplicaState {
  let s = states.byDb.get(db);
  if (!s) {
    s = { downUntil: 0, lagAt: 0, lagMs: 0, behind: false };
    states.byDb.set(db, s);
  }
  return s;
}

const log = () => logger("db");

function markDown(r: ReadReplicas["replicas"][number], e: unknown): void {
  const s = stateOf(r.db);
  const wasUp = s.downUntil <= Date.now();
  s.downUntil = Date.now() + DOWN_MS;
  s.lagAt = 0;
  if (wasUp)
    log().warn(
      `replica ${r.label} failed (${(e instanceof Error ? e.message : String(e)).trim()}): reading from the primary for ${DOWN_MS / 1000} s`,
    );
}

/** The replica's lag in ms, read at most once per LAG_CHECK_MS; null when it could not be read. */
async function lagOf(r: ReadReplicas["replicas"][number]): Promise<number | null> {
  const s = stateOf(r.db);
  if (Date.now() - s.lagAt < LAG_CHECK_MS) return s.lagMs;
  s.pending ??= (async () => {
    try {
      const pool = r.db.pool;
      if (!pool) return 0;
      // node-postgres reads a per-statement `query_timeout` from the query config; its types omit it.
      const config = { text: LAG_SQL, query_timeout: LAG_CHECK_TIMEOUT_MS } as QueryConfig;
      const { rows } = await pool.query<{ lag_ms: number }>(config);
      s.lagMs = Number(rows[0]?.lag_ms ?? 0); // float8 'Infinity' arrives as Infinity
      s.lagAt = Date.now();
      return s.lagMs;
    } catch (e) {
      markDown(r, e);
      return null;
    } finally {
      s.pending = undefined;
    }
  })();
  return s.pending;
}

/** A replica that is up and within `maxLagMs`, round-robin; null: read the primary. */
async function pickReplica(read: ReadReplicas): Promise<ReadReplicas["replicas"][number] | null> {
  const n = read.replicas.length;
  const start = states.next++ % n;
  for (let i = 0; i < n; i++) {
    const r = read.replicas[(start + i) % n];
    const s = stateOf(r.db);
    if (s.downUntil > Date.now()) continue;
    const lag = await lagOf(r);
    if (lag === null) continue;
    const behind = lag > read.maxLagMs;
    if (behind !== s.behind) {
      s.behind = behind;
      if (behind)
        log().warn(`replica ${r.label} is ${Math.round(lag)} ms behind: reading from the primary until it catches up`);
      else log().info(`replica ${r.label} caught up`);
    }
    if (!behind) return r;
  }
  return null;
}

/** A failure of the replica rather than of the request: answer it from the primary. */
function replicaFailure(e: unknown): boolean {
  if (unavailability(e)?.service === "database") return true;
  // Hot standby cancels queries that hold back replay (SQLSTATE 40001, "conflict with recovery").
  for (let x: unknown = e, depth = 0; x && typeof x === "object" && depth < 5; depth++) {
    const m = (x as { message?: unknown }).message;
    if (typeof m === "string" && /conflict with recovery/.test(m)) return true;
    x = (x as { cause?: unknown }).cause;
  }
  return false;
}

/** Records that this process wrote to `workspaceId`: its reads stay on the primary for a while. */
export function noteWrite(workspaceId: string): void {
  const w = states.writes;
  w.set(workspaceId, Date.now());
  if (w.size > 10_000) {
    const old = Date.now() - 10 * 60_000;
    for (const [k, at] of w) if (at < old) w.delete(k);
  }
}

function wroteRecently(workspaceId: string, windowMs: number): boolean {
  const at = states.writes.get(workspaceId);
  return at !== undefined && Date.now() - at < windowMs;
}

/**
 * Runs a read-only `fn` of `workspaceId` on a replica when there is a usable one, else on the
 * primary (see above). `fn` must not write, and gets the database to read: a replica's `Db`, or
 * `db` itself.
 */
export async function readFrom<T>(db: Db, workspaceId: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const read = db.read;
  if (!read || read.replicas.length === 0 || wroteRecently(workspaceId, read.maxLagMs)) return fn(db);
  const replica = await pickReplica(read);
  if (!replica) return fn(db);
  try {
    return await fn(replica.db);
  } catch (e) {
    if (e instanceof NotFoundError) return fn(db);
    if (!replicaFailure(e)) throw e;
    markDown(replica, e);
    return fn(db);
  }
}
