import "server-only";
import type { AgentList, Execution } from "../contracts/executions.ts";
import type { Db } from "../db/index.ts";
import { EXECUTION_SELECT, type ExecutionSqlRow, fromSqlRow } from "./executions.ts";

export async function getExecution(db: Db, workspaceId: string, id: string): Promise<Execution | null> {
  const [row] = await db.prisma.$queryRawUnsafe<ExecutionSqlRow[]>(
    `${EXECUTION_SELECT} WHERE e.workspace_id = $1 AND e.id = $2`,
    workspaceId,
    id,
  );
  return row ? fromSqlRow(row) : null;
}

/** The workspace's agents by name, for pickers. */
export async function listAgents(db: Db, workspaceId: string): Promise<AgentList["agents"]> {
  const rows = await db.prisma.agent.findMany({
    where: { workspaceId },
    orderBy: { name: "asc" },
    select: { id: true, name: true, kind: true, lastSeenAt: true },
  });
  return rows.map((a) => ({ ...a, lastSeenAt: a.lastSeenAt.toISOString() }));
}

/**
 * Orders spans depth-first (children by start time, then id); a span whose parent is missing is
 * treated as a root so nothing is ever dropped.
 */
export function depthFirst<T extends { id: string; parentId: string | null; startedAt: Date }>(
  rows: T[],
): (T & { depth: number })[] {
  const ids = new Set(rows.map((r) => r.id));
  const children = new Map<string | null, T[]>();
  for (const r of rows) {
    const key = r.parentId && ids.has(r.parentId) && r.parentId !== r.id ? r.parentId : null;
    const list = children.get(key);
    if (list) list.push(r);
    else children.set(key, [r]);
  }
  const byStart = (a: T, b: T) =>
    a.startedAt.getTime() - b.startedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  for (const list of children.values()) list.sort(byStart);
  const out: (T & { depth: number })[] = [];
  const seen = new Set<string>();
  // Iterative walk: deep traces must not overflow the stack.
  const stack: { row: T; depth: number }[] = (children.get(null) ?? []).map((row) => ({ row, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { row, depth } = stack.pop()!;
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    out.push({ ...row, depth });
    const kids = children.get(row.id);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push({ row: kids[i], depth: depth + 1 });
  }
  // Parent cycles (a -> b -> a) have no root; append them so every span appears once.
  for (const r of rows) if (!seen.has(r.id)) out.push({ ...r, depth: 0 });
  return out;
}
