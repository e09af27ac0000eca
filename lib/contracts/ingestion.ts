import { z } from "zod";
import { ZInstantOut } from "./common.ts";
import { SOURCES } from "./executions.ts";
import { ZRedisDurability } from "./health.ts";

/** A queued batch whose retries are spent (Redis only), retryable from Settings › Ingestion. */
export const ZFailedBatch = z.strictObject({
  id: z.string(),
  kind: z.enum(["spans", "events"]),
  items: z.number().int(),
  error: z.string(),
  attempts: z.number().int(),
  failedAt: ZInstantOut,
});
export type FailedBatch = z.infer<typeof ZFailedBatch>;

/** An Output trace object of S3 whose import failed (retried automatically). */
export const ZFailedOutputImport = z.strictObject({
  key: z.string(),
  bucket: z.string(),
  error: z.string(),
  attempts: z.number().int(),
  retryAt: ZInstantOut.nullable(),
});
export type FailedOutputImport = z.infer<typeof ZFailedOutputImport>;

/** An accepted item the database refused, kept apart from the rest of its batch (lib/ingest/poison.ts). */
export const ZFailedItem = z.strictObject({
  id: z.string(),
  kind: z.enum(["span", "event"]),
  source: z.enum(SOURCES),
  itemId: z.string(),
  requestId: z.string().nullable().describe("The ingest request it came from"),
  error: z.string(),
  attempts: z.number().int(),
  failedAt: ZInstantOut,
});
export type FailedItem = z.infer<typeof ZFailedItem>;

/** `GET /api/v1/settings/ingestion`: the pipeline's state for this workspace. */
export const ZIngestionStatus = z.strictObject({
  queue: z.enum(["redis", "in-process"]),
  /** This workspace's batches waiting in the queue (running or delayed for a retry included). */
  pending: z.number().int(),
  /** False when the queue held more batches than are scanned: `pending` is then a lower bound. */
  pendingExact: z.boolean(),
  /** With Redis: whether accepted batches survive a Redis restart (null: Redis not reachable now). */
  redisDurability: ZRedisDurability.nullable(),
  failed: z.array(ZFailedBatch),
  failedOutputImports: z.array(ZFailedOutputImport),
  failedItems: z.array(ZFailedItem),
});
export type IngestionStatus = z.infer<typeof ZIngestionStatus>;
