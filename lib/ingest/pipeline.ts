import "server-only";
import type { z } from "zod";
import { readConfig } from "../config.ts";
import type { IngestResponse, ItemResult } from "../contracts/ingest.ts";
import { priceSpanInPlace } from "../costs/apply.ts";
import { type RecomputeCostsJob, runRecomputeJob } from "../costs/recompute.ts";
import { type Db, getDb } from "../db/index.ts";
import { zodDetails } from "../errors.ts";
import { getLiveBus } from "../live/index.ts";
import { currentRequestId, newRequestId } from "../log.ts";
import { getQueue } from "../queue/index.ts";
import type { EventBatch, EventRow, IngestBatch, Source, SpanBatch, SpanJob, SpanRow } from "./model.ts";
import { recordUnstorable, type UnstorableItem, writeIsolating } from "./poison.ts";
import { protectSpan, type Redactor } from "./protect.ts";
import { stampVersions } from "./version.ts";
import { priceTableFor, redactorFor } from "./workspace-settings.ts";
import { writeEventBatch } from "./write/events.ts";
import {
  joinSpanParts,
  type LoadSpanPart,
  spanJobFormat,
  toSpanJob,
  writeSpanBatch,
  writeSpanParts,
} from "./write/spans.ts";

export const INGEST_QUEUE = "ingest";

/**
 * Validates each item alone: the valid ones go on, each invalid one gets a 400 naming its fields.
 * `fast`, when given, returns exactly the schema's output for items it can vouch for, or null to
 * let the schema decide (see parseTraceRecordFast).
 */
export function validateItems<S extends z.ZodType>(
  items: unknown[],
  schema: S,
  idOf: (item: unknown) => string | null,
  fast?: (item: unknown) => z.output<S> | null,
): { valid: z.output<S>[]; results: ItemResult[] } {
  const valid: z.output<S>[] = [];
  const results: ItemResult[] = items.map((item) => {
    const id = idOf(item);
    const quick = fast?.(item);
    if (quick) {
      valid.push(quick);
      return { id, status: 201 };
    }
    const parsed = schema.safeParse(item);
    if (parsed.success) {
      valid.push(parsed.data);
      return { id, status: 201 };
    }
    const details = zodDetails(parsed.error);
    return {
      id,
      status: 400,
      error: {
        code: "validation_error",
        message: `Invalid item: check ${[...new Set(details.map((d) => d.path))].join(", ")}.`,
        details,
      },
    };
  });
  return { valid, results };
}

export function summarize(results: ItemResult[]): IngestResponse {
  const accepted = results.filter((r) => r.status === 201).length;
  return { accepted, rejected: results.length - accepted, results };
}

export { protectSpan };

export function protectEvent(e: EventRow, redact: Redactor): EventRow {
  return { ...e, properties: redact(e.properties) as Record<string, unknown> };
}

/**
 * Builds a span batch from mapped rows: priced, protection applied, execution contexts attached.
 * The rows are the adapter's fresh objects and are changed in place (no copy per span).
 */
export async function buildSpanBatch(
  db: Db,
  workspaceId: string,
  source: Source,
  spans: SpanRow[],
  executions: SpanBatch["executions"],
): Promise<SpanBatch> {
  const [redact, prices] = await Promise.all([redactorFor(db, workspaceId), priceTableFor(db, workspaceId)]);
  const max = readConfig().maxPayloadChars;
  const stored = spans.map((s) => protectSpan(priceSpanInPlace(s, prices), redact, max));
  return { kind: "spans", workspaceId, source, spans: stored, executions };
}

/** What to do with accepted items the database refuses (see lib/ingest/poison.ts). */
type UnstorableMode = {
  /**
   * `record`: keep them in the failed list of Settings › Ingestion (queued batches, and sources whose
   * answer cannot name an item); `return`: give them back, so the request answers each its own error.
   */
  unstorable?: "record" | "return";
};

/**
 * Writes a batch and tells open pages; what workers and the direct path both run. A batch the
 * database refuses is split until the refused items are alone (the rest is stored); those are
 * recorded or returned.
 */
export async function processBatch(
  db: Db,
  batch: IngestBatch,
  { unstorable = "record" }: UnstorableMode = {},
): Promise<UnstorableItem[]> {
  const job = batch.kind === "spans" ? toSpanJob(batch, spanJobFormat(db)) : batch;
  const bus = await getLiveBus();
  const at = new Date().toISOString();
  let failed: UnstorableItem[];
  if (job.kind !== "events") {
    const done = await writeIsolating(job, (part) => writeSpanBatch(db, part as SpanJob));
    failed = done.unstorable;
    const ids = [...new Set(done.written.flatMap((w) => w.executionIds))];
    if (ids.length) await bus.publish({ workspaceId: job.workspaceId, kind: "executions", ids, at });
  } else {
    const done = await writeIsolating(job, (part) => writeEventBatch(db, part as EventBatch));
    failed = done.unstorable;
    const names = [...new Set(done.written.flatMap((w) => w.names))];
    if (names.length) await bus.publish({ workspaceId: job.workspaceId, kind: "events", ids: names, at });
  }
  if (failed.length && unstorable === "record") await recordUnstorable(db, failed);
  return failed;
}

/**
 * Accepts a batch durably: with Redis it is persisted in the queue before this resolves (workers
 * write it, and keep what the database refuses in the failed list); without Redis it is written now,
 * and what the database refuses is recorded or returned (`unstorable`). Versions are given here, at
 * acceptance (lib/ingest/version.ts).
 */
export async function dispatch(db: Db, batch: IngestBatch, mode: UnstorableMode = {}): Promise<UnstorableItem[]> {
  if (batch.kind === "events") stampVersions(batch.events);
  const job = batch.kind === "spans" ? toSpanJob(batch, spanJobFormat(db)) : batch;
  if (job.kind === "events" ? job.events.length === 0 : job.count === 0) return [];
  if (readConfig().redisUrl) {
    const queue = await getQueue<IngestBatch>(INGEST_QUEUE);
    // A span job's rows (hundreds of KB) travel beside the job, unescaped.
    await queue.enqueue(
      job,
      job.kind === "span_copy" ? { offload: ["copy"] } : job.kind === "span_rows" ? { offload: ["rows"] } : {},
    );
    return [];
  }
  return processBatch(db, job, mode);
}

/**
 * Accepts a batch given as the jobs of its consecutive parts (toSpanJob of each) whole: with Redis as
 * one queue job (the parts joined), without Redis written in one transaction a part per statement
 * (writeSpanParts), so no step holds the thread for the whole batch. With `load`, the parts' rows
 * are loaded as they are written or joined (see LoadSpanPart). Data the database refuses
 * fails the whole batch (written now, the error is thrown; queued, the worker isolates it).
 */
export async function dispatchSpanParts(db: Db, parts: SpanJob[], load?: LoadSpanPart): Promise<void> {
  if (readConfig().redisUrl) {
    const whole: SpanJob[] = [];
    for (let i = 0; i < parts.length; i++) whole.push(load ? await load(i) : parts[i]);
    await dispatch(db, joinSpanParts(whole));
    return;
  }
  const at = new Date().toISOString();
  const { executionIds: ids } = await writeSpanParts(db, parts, load);
  if (ids.length)
    await (await getLiveBus()).publish({ workspaceId: parts[0].workspaceId, kind: "executions", ids, at });
}

/** An id for the ingest request a batch comes from, kept with what the database refuses of it. */
/**
 * The request id stored with a batch and with the items the database refuses: the id of the request
 * being served (its log lines carry it, its `x-request-id` answers it), or a new one outside a request.
 */
export const batchRequestId = () => currentRequestId() ?? newRequestId();

/** Answers each accepted item the database refused (direct writes) with its own 400. */
export function markUnstorable(results: ItemResult[], failed: UnstorableItem[]): void {
  if (failed.length === 0) return;
  const errors = new Map(failed.map((f) => [f.itemId, f.error]));
  for (const r of results) {
    const error = r.status === 201 && r.id !== null ? errors.get(r.id) : undefined;
    if (error === undefined) continue;
    r.status = 400;
    r.error = {
      code: "unstorable",
      message: `The database refused this item: ${error}`,
      details: [{ path: "", message: error }],
    };
  }
}

/**
 * Runs the ingest worker on this process until closed (BullMQ with Redis; in-process otherwise).
 * Besides batches it runs the workspace jobs queued beside them (cost recomputes, lib/costs).
 */
export async function startIngestWorker(concurrency = 4): Promise<{ close(): Promise<void> }> {
  const queue = await getQueue<IngestBatch | RecomputeCostsJob>(INGEST_QUEUE);
  const db = await getDb();
  return queue.startWorker(
    async (job) => {
      if (job.kind === "recompute_costs") await runRecomputeJob(db, job);
      else await processBatch(db, job);
    },
    { concurrency },
  );
}
