import "server-only";
import { readConfig } from "../config.ts";
import type { IngestionStatus } from "../contracts/ingestion.ts";
import { getDb } from "../db/index.ts";
import { NotFoundError } from "../errors.ts";
import { getQueue } from "../queue/index.ts";
import { currentRedisDurability } from "../server/redis-durability.ts";
import type { IngestBatch } from "./model.ts";
import { INGEST_QUEUE, processBatch } from "./pipeline.ts";
import { failedItems, retryFailedItem } from "./poison.ts";
import { failedOutputImports as failedOutputImportsOf } from "./sources/output/s3.ts";

/** The queue is shared by every workspace: a workspace's backlog is counted over this many pending batches. */
const PENDING_SCAN_LIMIT = 10_000;

const itemsOf = (b: IngestBatch) =>
  b.kind === "spans" ? b.spans.length : b.kind === "events" ? b.events.length : b.count;

/** The pipeline's state for Settings › Ingestion: backlog and this workspace's failed batches. */
export async function ingestionStatus(workspaceId: string): Promise<IngestionStatus> {
  const db = await getDb();
  const [failedOutputImports, items] = await Promise.all([
    failedOutputImportsOf(db, workspaceId),
    failedItems(db, workspaceId),
  ]);
  if (!readConfig().redisUrl)
    return {
      queue: "in-process",
      pending: 0,
      pendingExact: true,
      redisDurability: null,
      failed: [],
      failedOutputImports,
      failedItems: items,
    };
  const queue = await getQueue<IngestBatch>(INGEST_QUEUE);
  const [pending, failed, redisDurability] = await Promise.all([
    queue.countPending((batch) => batch.workspaceId === workspaceId, PENDING_SCAN_LIMIT),
    queue.failedJobs(500),
    currentRedisDurability(),
  ]);
  return {
    queue: "redis",
    failedOutputImports,
    failedItems: items,
    pending: pending.count,
    pendingExact: pending.complete,
    redisDurability,
    failed: failed
      // Batches only: a workspace job beside them (a cost recompute) records its own failure.
      .filter(
        (f) =>
          f.data.workspaceId === workspaceId && ["spans", "span_copy", "span_rows", "events"].includes(f.data.kind),
      )
      .map((f) => ({
        id: f.id,
        kind: f.data.kind === "events" ? "events" : "spans",
        items: itemsOf(f.data),
        error: f.error,
        attempts: f.attempts,
        failedAt: f.failedAt,
      })),
  };
}

/**
 * Puts a failed batch of this workspace back in the queue, or writes a failed item again (ids
 * `if_…`); another workspace's is "not found".
 */
export async function retryFailedBatch(workspaceId: string, id: string): Promise<void> {
  if (id.startsWith("if_")) {
    const db = await getDb();
    if (await retryFailedItem(db, workspaceId, id, (job) => processBatch(db, job, { unstorable: "return" }))) return;
  } else if (readConfig().redisUrl) {
    const queue = await getQueue<IngestBatch>(INGEST_QUEUE);
    const job = (await queue.failedJobs(500)).find((f) => f.id === id && f.data.workspaceId === workspaceId);
    if (job && (await queue.retryFailed(id))) return;
  }
  throw new NotFoundError("batch_not_found", "No failed batch with this id in this workspace.");
}
