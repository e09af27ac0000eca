import type { Execution, ExecutionList, ExecutionListQuery } from "../contracts/executions.ts";
import type { Prisma } from "../db/generated/client.ts";
import type { Db } from "../db/index.ts";
import { ApiError } from "../http/errors.ts";

type Row = Prisma.ExecutionGetPayload<{ include: { agent: { select: { name: true } } } }>;

export function toExecution(row: Row): Execution {
  return {
    id: row.id,
    agentId: row.agentId,
    agent: row.agent.name,
    name: row.name,
    type: row.type,
    status: row.status,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    durationMs: row.durationMs,
    threadId: row.threadId,
    sessionId: row.sessionId,
    companyId: row.companyId,
    identify: row.identifyType && row.identifyValue ? { type: row.identifyType, value: row.identifyValue } : null,
    input: row.input ?? null,
    output: row.output ?? null,
    error: row.error ?? null,
    spanCount: row.spanCount,
    tokens: { input: row.tokensInput, output: row.tokensOutput, total: row.tokensTotal },
    hasConversation: row.hasConversation,
    source: row.source,
  };
}

/** Opaque keyset cursor over (startedAt desc, id desc). */
export function encodeCursor(startedAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([startedAt.toISOString(), id])).toString("base64url");
}

export function decodeCursor(cursor: string): { startedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const startedAt = new Date(at);
    if (typeof id !== "string" || Number.isNaN(startedAt.getTime())) throw new Error("bad cursor");
    return { startedAt, id };
  } catch {
    throw new ApiError(400, "validation_error", "The cursor is not valid.", [
      { path: "cursor", message: "Invalid cursor." },
    ]);
  }
}

/** Executions of one workspace, newest first, filtered as in API.md. */
export async function listExecutions(db: Db, workspaceId: string, q: ExecutionListQuery): Promise<ExecutionList> {
  const and: Prisma.ExecutionWhereInput[] = [{ workspaceId }];
  if (q.agent) and.push({ agent: { name: q.agent } });
  if (q.status) and.push({ status: q.status });
  if (q.threadId) and.push({ threadId: q.threadId });
  if (q.sessionId) and.push({ sessionId: q.sessionId });
  if (q.companyId) and.push({ companyId: q.companyId });
  if (q.source) and.push({ source: q.source });
  if (q.from) and.push({ startedAt: { gte: q.from } });
  if (q.to) and.push({ startedAt: { lte: q.to } });
  if (q.q) {
    and.push({
      OR: [
        { name: { contains: q.q, mode: "insensitive" } },
        { id: q.q },
        { externalId: q.q },
        { input: { string_contains: q.q } },
        { output: { string_contains: q.q } },
      ],
    });
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    and.push({ OR: [{ startedAt: { lt: c.startedAt } }, { startedAt: c.startedAt, id: { lt: c.id } }] });
  }
  const rows = await db.prisma.execution.findMany({
    where: { AND: and },
    include: { agent: { select: { name: true } } },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    executions: page.map(toExecution),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.startedAt, last.id) : null,
  };
}
