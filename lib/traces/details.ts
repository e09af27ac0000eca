import type { Execution, ExecutionDetails, PortalExecution, Span } from "../contracts/executions.ts";
import type { Db } from "../db/index.ts";
import { NotFoundError } from "../http/errors.ts";
import { depthFirst, getExecution } from "./read.ts";

type SpanRecord = {
  id: string;
  executionId: string;
  parentId: string | null;
  type: string;
  name: string;
  stepType: string | null;
  status: Execution["status"];
  startedAt: Date;
  endedAt: Date | null;
  input: unknown;
  output: unknown;
  metadata: unknown;
  error: unknown;
  llm: unknown;
  tokensInput: number | null;
  tokensOutput: number | null;
  tokensTotal: number | null;
  httpMethod: string | null;
  httpUrl: string | null;
  httpStatus: number | null;
  message: unknown;
};

export function toSpan(r: SpanRecord, depth: number): Span {
  const llm = r.llm as Span["llm"];
  return {
    id: r.id,
    executionId: r.executionId,
    parentId: r.parentId,
    depth,
    type: r.type,
    name: r.name,
    stepType: r.stepType,
    status: r.status,
    startedAt: r.startedAt.toISOString(),
    endedAt: r.endedAt?.toISOString() ?? null,
    durationMs: r.endedAt ? r.endedAt.getTime() - r.startedAt.getTime() : null,
    input: r.input ?? null,
    output: r.output ?? null,
    metadata: r.metadata ?? null,
    error: (r.error as Span["error"]) ?? null,
    llm: llm
      ? { ...llm, usage: { inputTokens: r.tokensInput, outputTokens: r.tokensOutput, totalTokens: r.tokensTotal } }
      : null,
    http: r.httpMethod && r.httpUrl ? { method: r.httpMethod, url: r.httpUrl, statusCode: r.httpStatus } : null,
    message: (r.message as Span["message"]) ?? null,
  };
}

/**
 * One page of an execution's spans in depth-first order. The order is computed from narrow
 * columns over the whole execution; payload columns are read only for the page.
 */
async function spanPage(db: Db, workspaceId: string, executionId: string, offset: number, limit: number) {
  const outline = await db.prisma.span.findMany({
    where: { workspaceId, executionId },
    select: { id: true, parentId: true, startedAt: true },
  });
  const ordered = depthFirst(outline);
  const page = ordered.slice(offset, offset + limit);
  const rows = page.length
    ? await db.prisma.span.findMany({ where: { workspaceId, id: { in: page.map((p) => p.id) } } })
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const traces = page.flatMap((p) => {
    const r = byId.get(p.id);
    return r ? [toSpan(r, p.depth)] : [];
  });
  return { traces, total: ordered.length };
}

export async function getExecutionDetails(
  db: Db,
  workspaceId: string,
  executionId: string,
  page: { offset: number; limit: number },
): Promise<ExecutionDetails> {
  const execution = await getExecution(db, workspaceId, executionId);
  if (!execution) throw new NotFoundError("execution_not_found", "No execution with this id.");
  const { traces, total } = await spanPage(db, workspaceId, executionId, page.offset, page.limit);
  return {
    execution,
    traces,
    tracesTotal: total,
    tracesOffset: page.offset,
    tracesHasMore: page.offset + traces.length < total,
  };
}

/** The portal's whole-execution read, capped; `truncated` says spans were left out. */
export async function getExecutionForPortal(
  db: Db,
  workspaceId: string,
  executionId: string,
  cap: number,
): Promise<PortalExecution> {
  const d = await getExecutionDetails(db, workspaceId, executionId, { offset: 0, limit: cap });
  return { execution: d.execution, traces: d.traces, truncated: d.tracesHasMore };
}
