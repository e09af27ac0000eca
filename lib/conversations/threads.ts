import { executionDaySql, executionDaysSql, executionSpanDates } from "../data/partitions.ts";
import "server-only";
import type { ThreadList, ThreadListQuery, ThreadMessage, ThreadSummary } from "../contracts/conversations.ts";
import type { Db } from "../db/index.ts";
import { readFrom } from "../db/replicas.ts";
import { NotFoundError } from "../errors.ts";
import { decodeCursor, encodeCursor } from "../http/cursor.ts";
import { searchRegex } from "../traces/search.ts";

/**
 * Threads are executions sharing a thread_id; their conversation is the conversation_message
 * spans of those executions in time order. Queries follow executions(workspace_id, thread_id, started_at)
 * and spans(workspace_id, execution_id, started_at).
 */

type Row = {
  thread_id: string;
  agent: string;
  execution_count: number;
  message_count: number;
  last_activity_at: Date;
  cost: number | null;
  last_role: string | null;
  last_content: ThreadMessage["content"] | null;
  last_at: Date | null;
};

export function listThreads(db: Db, workspaceId: string, q: ThreadListQuery): Promise<ThreadList> {
  return readFrom(db, workspaceId, (db) => listThreadsOn(db, workspaceId, q));
}

async function listThreadsOn(db: Db, workspaceId: string, q: ThreadListQuery): Promise<ThreadList> {
  const params: unknown[] = [workspaceId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ["e.workspace_id = $1", "e.thread_id IS NOT NULL"];
  if (q.agent) where.push(`a.name = ${p(q.agent)}`);
  const having: string[] = [];
  if (q.q) {
    // The thread id, or any conversation message's content (JSON text) of the thread, contains the
    // text in any case and accent (lib/traces/search.ts); messages are found through
    // conversation_search, their texts joined by newlines per execution and write, with a trigram
    // index where the database has pg_trgm. No message's JSON text holds a raw newline, so text
    // without one never matches across two messages, and text with one matches no message. Applied
    // to the executions before grouping: a thread qualifies with all its executions.
    const re = p(searchRegex(q.q));
    const inMessages = q.q.includes("\n")
      ? ""
      : ` OR e.thread_id IN (SELECT e3.thread_id FROM conversation_search c JOIN executions e3 ON e3.workspace_id = c.workspace_id AND e3.id = c.execution_id
        WHERE c.workspace_id = $1 AND c.doc ~* ${re} AND e3.thread_id IS NOT NULL)`;
    where.push(`(e.thread_id ~* ${re}${inMessages})`);
  }
  if (q.cursor) {
    const [at, id] = decodeCursor(q.cursor, 2);
    having.push(`(t.last_activity_at, t.thread_id) < (${p(at)}::timestamptz, ${p(id)})`);
  }
  const rows = await db.prisma.$queryRawUnsafe<Row[]>(
    `WITH t AS (
       SELECT e.thread_id, (array_agg(a.name ORDER BY e.started_at DESC))[1] AS agent, count(*)::int AS execution_count,
         max(COALESCE(e.ended_at, e.started_at)) AS last_activity_at, sum(e.cost) AS cost
       FROM executions e JOIN agents a ON a.id = e.agent_id
       WHERE ${where.join(" AND ")}
       GROUP BY e.thread_id
     )
     SELECT t.thread_id, t.agent, t.execution_count, t.last_activity_at, t.cost,
       COALESCE(m.message_count, 0)::int AS message_count, lm.last_role, lm.last_content, lm.last_at
     FROM t
     LEFT JOIN LATERAL (
       SELECT count(*) AS message_count FROM executions e2 JOIN spans s ON s.workspace_id = e2.workspace_id AND s.execution_id = e2.id
       AND s.day = ANY(${executionDaysSql(executionDaySql("e2"))})
       WHERE e2.workspace_id = $1 AND e2.thread_id = t.thread_id AND s.type = 'conversation_message'
     ) m ON true
     LEFT JOIN LATERAL (
       SELECT s.message_role AS last_role, s.message->'content' AS last_content, s.started_at AS last_at
       FROM executions e2 JOIN spans s ON s.workspace_id = e2.workspace_id AND s.execution_id = e2.id
       AND s.day = ANY(${executionDaysSql(executionDaySql("e2"))})
       WHERE e2.workspace_id = $1 AND e2.thread_id = t.thread_id AND s.type = 'conversation_message' AND s.message_role IN ('user', 'assistant')
       ORDER BY s.started_at DESC, s.id DESC LIMIT 1
     ) lm ON true
     ${having.length ? `WHERE ${having.join(" AND ")}` : ""}
     ORDER BY t.last_activity_at DESC, t.thread_id DESC
     LIMIT ${p(q.limit + 1)}`,
    ...params,
  );
  const page = rows.slice(0, q.limit).map(
    (r): ThreadSummary => ({
      threadId: r.thread_id,
      agent: r.agent,
      lastMessage:
        r.last_role && r.last_content !== null
          ? { role: r.last_role, content: r.last_content, at: new Date(r.last_at!).toISOString() }
          : null,
      executionCount: Number(r.execution_count),
      messageCount: Number(r.message_count),
      cost: r.cost === null ? null : Number(r.cost),
      lastActivityAt: new Date(r.last_activity_at).toISOString(),
    }),
  );
  const last = page.at(-1);
  return {
    threads: page,
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.lastActivityAt, last.threadId]) : null,
  };
}

type MessageRow = {
  id: string;
  execution_id: string;
  parent_id: string | null;
  message: { role: string; content: ThreadMessage["content"]; metadata?: Record<string, unknown> | null };
  started_at: Date;
};

/** Every message of a thread across its executions, oldest first. Unknown thread: 404. */
export function listThreadMessages(db: Db, workspaceId: string, threadId: string): Promise<ThreadMessage[]> {
  return readFrom(db, workspaceId, (db) => threadMessagesOn(db, workspaceId, threadId));
}

async function threadMessagesOn(db: Db, workspaceId: string, threadId: string): Promise<ThreadMessage[]> {
  const rows = await db.prisma.$queryRawUnsafe<MessageRow[]>(
    `SELECT s.id, s.execution_id, s.parent_id, s.message, s.started_at
     FROM executions e JOIN spans s ON s.workspace_id = e.workspace_id AND s.execution_id = e.id
       AND s.day = ANY(${executionDaysSql(executionDaySql("e"))})
     WHERE e.workspace_id = $1 AND e.thread_id = $2 AND s.type = 'conversation_message'
     ORDER BY s.started_at, s.id`,
    workspaceId,
    threadId,
  );
  if (rows.length === 0) {
    const exists = await db.prisma.execution.findFirst({ where: { workspaceId, threadId }, select: { id: true } });
    if (!exists) throw new NotFoundError("thread_not_found", "No thread with this id.");
  }
  return rows.map((r) => ({
    id: r.id,
    executionId: r.execution_id,
    role: r.message.role,
    content: r.message.content,
    metadata: r.message.metadata ?? null,
    at: new Date(r.started_at).toISOString(),
    parentId: r.parent_id,
  }));
}

/** The messages of one execution, oldest first (chat view of the execution page). Unknown execution: 404. */
export function listExecutionMessages(db: Db, workspaceId: string, executionId: string): Promise<ThreadMessage[]> {
  return readFrom(db, workspaceId, (db) => executionMessagesOn(db, workspaceId, executionId));
}

async function executionMessagesOn(db: Db, workspaceId: string, executionId: string): Promise<ThreadMessage[]> {
  const rows = await db.prisma.span.findMany({
    where: {
      workspaceId,
      executionId,
      type: "conversation_message",
      // Its partitions only (lib/data/partitions.ts).
      day: { in: await executionSpanDates(db, workspaceId, executionId) },
    },
    select: { id: true, executionId: true, parentId: true, message: true, startedAt: true },
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
  });
  if (rows.length === 0) {
    const exists = await db.prisma.execution.findFirst({
      where: { workspaceId, id: executionId },
      select: { id: true },
    });
    if (!exists) throw new NotFoundError("execution_not_found", "No execution with this id.");
  }
  return rows.map((r) => {
    const m = r.message as MessageRow["message"];
    return {
      id: r.id,
      executionId: r.executionId,
      role: m.role,
      content: m.content,
      metadata: m.metadata ?? null,
      at: r.startedAt.toISOString(),
      parentId: r.parentId,
    };
  });
}
