import "server-only";
import type { DeletionCounts, DeletionList, ErasureRequest } from "../contracts/data.ts";
import type { Db } from "../db/index.ts";
import { noteWrite } from "../db/replicas.ts";
import { anyOfJsonArray } from "../db/sql.ts";
import { type SqlTx, withTransaction } from "../db/transaction.ts";
import { NOT_FOUND } from "../errors.ts";
import { applyRollupDelta } from "../metrics/rollups.ts";

/**
 * Deletion on demand. Deleting executions deletes their spans (trigger on executions), their
 * reviews (foreign key) and their rollups' share (the execution_rollups triggers write the
 * negative deltas); the track() events of those executions go too, with their share of the event
 * rollups and the catalog's counts. Everything in one transaction, recorded in deletion_records.
 */

/**
 * Deletes the executions `ids` of a workspace (rows locked in id order, as ingest locks them) with
 * the events of those executions and, when given, of `threadId`. Returns what was deleted.
 */
async function deleteExecutions(
  tx: SqlTx,
  workspaceId: string,
  ids: string[],
  threadId?: string,
): Promise<DeletionCounts> {
  const idList = JSON.stringify(ids);
  await tx.exec(
    `SELECT 1 FROM executions WHERE workspace_id = $1 AND id = ${anyOfJsonArray("$2")}
     ORDER BY id FOR UPDATE`,
    workspaceId,
    idList,
  );
  const [{ spans }] = await tx.query<{ spans: number }>(
    `SELECT count(*)::int AS spans FROM spans WHERE workspace_id = $1
       AND execution_id = ${anyOfJsonArray("$2")}`,
    workspaceId,
    idList,
  );
  const events = await tx.query<{ id: string; agent_id: string; name: string }>(
    `SELECT id, agent_id, name FROM track_events WHERE workspace_id = $1
       AND (execution_id = ${anyOfJsonArray("$2")} OR ($3::text IS NOT NULL AND thread_id = $3))
     ORDER BY id FOR UPDATE`,
    workspaceId,
    idList,
    threadId ?? null,
  );
  if (events.length) {
    const eventIds = JSON.stringify(events.map((e) => e.id));
    // Their share of the hourly rollups goes first (read from the rows), then the rows.
    await applyRollupDelta(tx, workspaceId, "[]", eventIds);
    const perName = new Map<string, { agent_id: string; name: string; n: number }>();
    for (const e of events) {
      const key = `${e.agent_id}\u0000${e.name}`;
      const c = perName.get(key) ?? perName.set(key, { agent_id: e.agent_id, name: e.name, n: 0 }).get(key)!;
      c.n += 1;
    }
    await tx.exec(
      `UPDATE event_catalog c SET count = greatest(c.count - d.n, 0)
       FROM jsonb_to_recordset($2::jsonb) AS d(agent_id text, name text, n bigint)
       WHERE c.workspace_id = $1 AND c.agent_id = d.agent_id AND c.name = d.name`,
      workspaceId,
      JSON.stringify([...perName.values()].sort((a, b) => (a.agent_id + a.name < b.agent_id + b.name ? -1 : 1))),
    );
    await tx.exec(
      `DELETE FROM track_events WHERE workspace_id = $1 AND id = ${anyOfJsonArray("$2")}`,
      workspaceId,
      eventIds,
    );
  }
  const executions = await tx.exec(
    `DELETE FROM executions WHERE workspace_id = $1 AND id = ${anyOfJsonArray("$2")}`,
    workspaceId,
    idList,
  );
  return { executions, spans, events: events.length };
}

async function record(
  tx: SqlTx,
  workspaceId: string,
  kind: "execution" | "erasure",
  target: unknown,
  actor: string,
  counts: DeletionCounts,
) {
  await tx.exec(
    `INSERT INTO deletion_records (id, workspace_id, kind, target, actor, executions, spans, events)
     VALUES (gen_random_uuid()::text, $1, $2, $3::jsonb, $4, $5, $6, $7)`,
    workspaceId,
    kind,
    JSON.stringify(target),
    actor,
    counts.executions,
    counts.spans,
    counts.events,
  );
}

/** Deletes one execution (404 when the workspace has none with this id). */
export async function deleteExecution(db: Db, workspaceId: string, id: string, actor: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    const counts = await deleteExecutions(tx, workspaceId, [id]);
    if (counts.executions === 0) throw NOT_FOUND.execution();
    await record(tx, workspaceId, "execution", { executionId: id }, actor, counts);
    tx.afterCommit(() => noteWrite(workspaceId)); // the pages shown next read the primary (lib/db/replicas.ts)
  });
}

/**
 * An erasure request: deletes every execution of the workspace whose thread, session, company or
 * identify (type and value) matches one of those given (of `agent` only, when named), the events of
 * those executions and of the thread, and records it (also when nothing matched).
 */
export async function eraseData(
  db: Db,
  workspaceId: string,
  req: ErasureRequest,
  actor: string,
): Promise<DeletionCounts> {
  return withTransaction(db, async (tx) => {
    const match: string[] = [];
    const params: unknown[] = [workspaceId];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (req.threadId) match.push(`thread_id = ${p(req.threadId)}`);
    if (req.sessionId) match.push(`session_id = ${p(req.sessionId)}`);
    if (req.companyId) match.push(`company_id = ${p(req.companyId)}`);
    if (req.identify)
      match.push(`(identify_type = ${p(req.identify.type)} AND identify_value = ${p(req.identify.value)})`);
    const agent = req.agent
      ? ` AND agent_id IN (SELECT id FROM agents WHERE workspace_id = $1 AND name = ${p(req.agent)})`
      : "";
    const rows = await tx.query<{ id: string }>(
      `SELECT id FROM executions WHERE workspace_id = $1 AND (${match.join(" OR ")})${agent} ORDER BY id`,
      ...params,
    );
    const threadEvents = req.threadId && !req.agent ? req.threadId : undefined;
    const counts = await deleteExecutions(
      tx,
      workspaceId,
      rows.map((r) => r.id),
      threadEvents,
    );
    await record(tx, workspaceId, "erasure", req, actor, counts);
    tx.afterCommit(() => noteWrite(workspaceId)); // the pages shown next read the primary (lib/db/replicas.ts)
    return counts;
  });
}

/** The workspace's deletion records, newest first (the last 200). */
export async function listDeletions(db: Db, workspaceId: string): Promise<DeletionList> {
  const rows = await db.prisma.deletionRecord.findMany({
    where: { workspaceId },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  return {
    records: rows.map((r) => ({
      id: r.id,
      kind: r.kind as "execution" | "erasure",
      target: r.target as DeletionList["records"][number]["target"],
      actor: r.actor,
      executions: r.executions,
      spans: r.spans,
      events: r.events,
      createdAt: r.createdAt.toISOString(),
    })),
  };
}
