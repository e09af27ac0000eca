import type { Db } from "../db/index.ts";

export type ThreadSummary = { threadId: string; executionCount: number; lastActivityAt: string };

/** Threads of a workspace, most recent activity first (summary from executions). */
export async function listThreadSummaries(db: Db, workspaceId: string, limit = 100): Promise<ThreadSummary[]> {
  const rows = await db.prisma.execution.groupBy({
    by: ["threadId"],
    where: { workspaceId, threadId: { not: null } },
    _count: { _all: true },
    _max: { startedAt: true },
    orderBy: { _max: { startedAt: "desc" } },
    take: limit,
  });
  return rows.map((r) => ({
    threadId: r.threadId!,
    executionCount: r._count._all,
    lastActivityAt: (r._max.startedAt ?? new Date(0)).toISOString(),
  }));
}
