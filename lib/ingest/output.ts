import "server-only";
import type { Db } from "../db/index.ts";
import { buildSpanBatch, dispatch } from "./pipeline.ts";
import { mapOutputTrace, type OutputNode } from "./sources/output.ts";

/**
 * Imports one Output trace file (its root node, already validated) into a workspace as one batch:
 * one queue job or one transaction, so a file is stored whole or not at all. A re-import replaces
 * the same span ids (see mapOutputTrace) and changes nothing. `created` says the execution was not
 * stored before (a file queued but not yet written counts as not stored).
 */
export async function ingestOutputTrace(
  db: Db,
  workspaceId: string,
  root: OutputNode,
  opts: { workflowId?: string | null } = {},
): Promise<{ executionId: string; spans: number; workflowId: string | null; created: boolean }> {
  const { spans, executions } = mapOutputTrace(root, opts);
  const existing = await db.prisma.execution.findUnique({
    where: { workspaceId_id: { workspaceId, id: root.id } },
    select: { id: true },
  });
  const batch = await buildSpanBatch(db, workspaceId, "output", spans, executions);
  await dispatch(db, batch);
  return {
    executionId: root.id,
    spans: spans.length,
    workflowId: executions[0]?.external_id ?? null,
    created: !existing,
  };
}
