import "server-only";
import type { OutputChain, OutputChainRun } from "../contracts/output.ts";
import type { Db } from "../db/index.ts";
import { readFrom } from "../db/replicas.ts";
import { NotFoundError } from "../errors.ts";

/** Runs of one chain the page lists at most (a poller continuing as new for weeks makes long chains). */
export const CHAIN_MAX_RUNS = 500;

type Row = {
  id: string;
  name: string;
  status: OutputChainRun["status"];
  started_at: Date;
  ended_at: Date | null;
  external_id: string;
};

/**
 * The continue-as-new chain of an Output execution: every Output execution of the workspace with the
 * same workflowId (external id), ordered by start (index executions(workspace_id, external_id)).
 * Null when there is no other run; 404 for an execution of another workspace, like a missing one.
 */
export function getOutputChain(db: Db, workspaceId: string, executionId: string): Promise<OutputChain> {
  return readFrom(db, workspaceId, (db) => outputChainOn(db, workspaceId, executionId));
}

async function outputChainOn(db: Db, workspaceId: string, executionId: string): Promise<OutputChain> {
  const [self] = await db.prisma.$queryRawUnsafe<{ source: string; external_id: string | null }[]>(
    "SELECT source::text AS source, external_id FROM executions WHERE workspace_id = $1 AND id = $2",
    workspaceId,
    executionId,
  );
  if (!self) throw new NotFoundError("execution_not_found", "No execution with this id.");
  if (self.source !== "output" || !self.external_id) return { chain: null };
  const rows = await db.prisma.$queryRawUnsafe<Row[]>(
    `SELECT id, name, status::text AS status, started_at, ended_at, external_id FROM executions
     WHERE workspace_id = $1 AND external_id = $2 AND source = 'output'
     ORDER BY started_at, id LIMIT ${CHAIN_MAX_RUNS}`,
    workspaceId,
    self.external_id,
  );
  const runs = rows.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    startedAt: new Date(r.started_at).toISOString(),
    endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
  }));
  const index = runs.findIndex((r) => r.id === executionId);
  if (runs.length < 2 || index < 0) return { chain: null };
  return { chain: { workflowId: self.external_id, position: index + 1, total: runs.length, runs } };
}
