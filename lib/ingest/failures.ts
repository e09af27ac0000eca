import { readConfig } from "../config.ts";
import { getDb } from "../db/index.ts";
import { NotFoundError } from "../http/errors.ts";
import { getQueue } from "../queue/index.ts";
import type { IngestBatch } from "./model.ts";
import { type FailedOutputImport, failedOutputImports as failedOutputImportsOf } from "./output-s3.ts";
import { INGEST_QUEUE } from "./pipeline.ts";

export type FailedBatch = {
  id: string;
  kind: "spans" | "events";
  items: number;
  error: string;
  attempts: number;
  failedAt: string;
};
export type IngestionStatus = {
  queue: "redis" | "in-process";
  pending: number;
  failed: FailedBatch[];
  /** Output trace objects of S3 whose import failed (retried automatically). */
  failedOutputImports: FailedOutputImport[];
};

const itemsOf = (b: IngestBatch) =>
  b.kind === "spans" ? b.spans.length : b.kind === "events" ? b.events.length : b.count;

/** The pipeline's state for Settings › Ingestion: backlog and this workspace's failed batches. */
export async function ingestionStatus(workspaceId: string): Promise<IngestionStatus> {
  const failedOutputImports = await failedOutputImportsOf(await getDb(), workspaceId);
  if (!readConfig().redisUrl) return { queue: "in-process", pending: 0, failed: [], failedOutputImports };
  const queue = await getQueue<IngestBatch>(INGEST_QUEUE);
  const [pending, failed] = await Promise.all([queue.pendingCount(), queue.failedJobs(500)]);
  return {
    queue: "redis",
    failedOutputImports,
    pending,
    failed: failed
      .filter((f) => f.data.workspaceId === workspaceId)
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

/** Puts a failed batch of this workspace back in the queue; another workspace's is "not found". */
export async function retryFailedBatch(workspaceId: string, id: string): Promise<void> {
  if (readConfig().redisUrl) {
    const queue = await getQueue<IngestBatch>(INGEST_QUEUE);
    const job = (await queue.failedJobs(500)).find((f) => f.id === id && f.data.workspaceId === workspaceId);
    if (job && (await queue.retryFailed(id))) return;
  }
  throw new NotFoundError("batch_not_found", "No failed batch with this id in this workspace.");
}
