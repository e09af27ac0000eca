import "server-only";
import { advisoryLease } from "../db/advisory-lease.ts";
import type { Db } from "../db/index.ts";
import { logger } from "../log.ts";
import { ensurePartitionsAhead } from "./partitions.ts";
import { applyRetention, enforceStorageBudget, type RetentionOptions, type RetentionResult } from "./retention.ts";

const log = logger("data");

/** How often data maintenance (partitions ahead, retention, budget) runs: RUNLENS_DATA_MAINTENANCE_MS, default an hour. */
export function maintenanceIntervalMs(): number {
  const v = Number(process.env.RUNLENS_DATA_MAINTENANCE_MS);
  return Number.isFinite(v) && v >= 1000 ? v : 3_600_000;
}

/**
 * One pass: partitions made ahead (and rows of the default partitions moved into theirs), then
 * retention, then the storage budget (lib/data/retention.ts). `npm run admin -- apply-retention`
 * runs it at once.
 */
export async function runDataMaintenance(
  db: Db,
  now = new Date(),
  opts: RetentionOptions = {},
): Promise<{ partitionsMade: number; retention: RetentionResult; budget: RetentionResult }> {
  const partitionsMade = await ensurePartitionsAhead(db, now);
  const retention = await applyRetention(db, now, opts);
  const budget = await enforceStorageBudget(db, now, undefined, opts);
  return { partitionsMade, retention, budget };
}

/**
 * Runs data maintenance now and then every interval, in one process at a time (an advisory lease on
 * Postgres; the embedded database has one process). Started by the worker process, or by the web
 * process when it runs the worker itself (lib/server/startup.ts).
 */
export function startDataMaintenance(db: Db, intervalMs = maintenanceIntervalMs()): { close(): Promise<void> } {
  const lease = advisoryLease(db, "runlens:data-maintenance");
  let running: Promise<void> | null = null;
  let closed = false;
  // Closing stops a pass between two drops (they are paced: retentionPauseMs).
  const closing = new AbortController();
  const tick = () => {
    if (running || closed) return;
    running = (async () => {
      try {
        if (!(await lease.held())) return;
        const r = await runDataMaintenance(db, new Date(), { signal: closing.signal });
        if (r.partitionsMade) log.info(`made ${r.partitionsMade} partitions`);
        if (r.budget.dropped.length) log.warn(`storage budget: dropped ${r.budget.dropped.length} trace partitions`);
      } catch (e) {
        log.warn(`data maintenance failed: ${(e as Error).message}`);
      } finally {
        running = null;
      }
    })();
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async close() {
      closed = true;
      clearInterval(timer);
      closing.abort();
      await running;
      await lease.release();
    },
  };
}
