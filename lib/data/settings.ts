import "server-only";
import { readConfig } from "../config.ts";
import {
  BUDGET_WARNING_RATIO,
  type BudgetStatus,
  type DataSettings,
  type DataSettingsRequest,
  type DataUsage,
} from "../contracts/data.ts";
import type { Db } from "../db/index.ts";
import { cachedWorkspaceUsage } from "./usage.ts";

/**
 * Settings › Data: how long the workspace keeps traces and events, its storage budget, and what
 * its data takes. Retention and budgets are applied by the worker (lib/data/retention.ts); this
 * module only reads and stores them.
 */

/** The budget nearest to being reached: the workspace's own against its bytes, the installation's against the database. */
export function budgetStatus(
  workspaceBudget: number | null,
  instanceBudget: number | null,
  usage: Pick<DataUsage, "totalBytes" | "databaseBytes">,
): BudgetStatus | null {
  const candidates: BudgetStatus[] = [];
  const status = (scope: BudgetStatus["scope"], limitBytes: number, usedBytes: number): BudgetStatus => {
    const ratio = usedBytes / limitBytes;
    return { scope, limitBytes, usedBytes, ratio, warning: ratio >= BUDGET_WARNING_RATIO };
  };
  if (workspaceBudget) candidates.push(status("workspace", workspaceBudget, usage.totalBytes));
  if (instanceBudget) candidates.push(status("instance", instanceBudget, usage.databaseBytes));
  return candidates.sort((a, b) => b.ratio - a.ratio)[0] ?? null;
}

type Stored = {
  tracesRetentionDays: number | null;
  eventsRetentionDays: number | null;
  storageBudgetBytes: bigint | null;
};

async function readStored(db: Db, workspaceId: string): Promise<Stored> {
  // The caller's own workspace: it exists (a deleted workspace has no members or keys left).
  return db.prisma.workspace.findUniqueOrThrow({
    where: { id: workspaceId },
    select: { tracesRetentionDays: true, eventsRetentionDays: true, storageBudgetBytes: true },
  });
}

async function answer(
  db: Db,
  workspaceId: string,
  stored: Stored,
  canEdit: boolean,
  refresh = false,
): Promise<DataSettings> {
  const usage = await cachedWorkspaceUsage(db, workspaceId, {
    eventsRetentionDays: stored.eventsRetentionDays,
    refresh,
  });
  const storageBudgetBytes = stored.storageBudgetBytes === null ? null : Number(stored.storageBudgetBytes);
  const instanceBudgetBytes = readConfig().storageBudgetBytes;
  return {
    tracesRetentionDays: stored.tracesRetentionDays,
    eventsRetentionDays: stored.eventsRetentionDays,
    storageBudgetBytes,
    instanceBudgetBytes,
    canEdit,
    usage,
    budget: budgetStatus(storageBudgetBytes, instanceBudgetBytes, usage),
  };
}

/** `fresh`: compute the usage now instead of reusing this process's figure of the last minute. */
export async function getDataSettings(
  db: Db,
  workspaceId: string,
  canEdit: boolean,
  fresh = false,
): Promise<DataSettings> {
  return answer(db, workspaceId, await readStored(db, workspaceId), canEdit, fresh);
}

/** Sets the fields given (validated by ZDataSettingsRequest); the others stay as they are. */
export async function putDataSettings(db: Db, workspaceId: string, body: DataSettingsRequest): Promise<DataSettings> {
  const data: {
    tracesRetentionDays?: number | null;
    eventsRetentionDays?: number | null;
    storageBudgetBytes?: bigint | null;
  } = {};
  if (body.tracesRetentionDays !== undefined) data.tracesRetentionDays = body.tracesRetentionDays;
  if (body.eventsRetentionDays !== undefined) data.eventsRetentionDays = body.eventsRetentionDays;
  if (body.storageBudgetBytes !== undefined)
    data.storageBudgetBytes = body.storageBudgetBytes === null ? null : BigInt(body.storageBudgetBytes);
  const stored = await db.prisma.workspace.update({
    where: { id: workspaceId },
    data,
    select: { tracesRetentionDays: true, eventsRetentionDays: true, storageBudgetBytes: true },
  });
  // The owner is looking at the page: the usage shown after a save is computed now.
  return answer(db, workspaceId, stored, true, true);
}
