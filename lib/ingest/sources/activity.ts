import "server-only";
import { SOURCES } from "../../contracts/executions.ts";
import type { Db } from "../../db/index.ts";

export type Source = (typeof SOURCES)[number];
export type SourceActivity = Record<Source, { lastReceivedAt: string | null }>;

/**
 * When each source last wrote an execution of the workspace: one index probe per source
 * (executions(workspace_id, source, updated_at)), whatever the number of executions.
 */
export async function sourceActivity(db: Db, workspaceId: string): Promise<SourceActivity> {
  const rows = await Promise.all(
    SOURCES.map((source) =>
      db.prisma.execution.findFirst({
        where: { workspaceId, source },
        orderBy: { updatedAt: "desc" },
        select: { updatedAt: true },
      }),
    ),
  );
  return Object.fromEntries(
    SOURCES.map((s, i) => [s, { lastReceivedAt: rows[i]?.updatedAt.toISOString() ?? null }]),
  ) as SourceActivity;
}
