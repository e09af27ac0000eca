import "server-only";
import { type CloudflareTraceItem, ZCloudflareTraceItem } from "../../../contracts/cloudflare.ts";
import type { IngestResponse, ItemResult } from "../../../contracts/ingest.ts";
import type { Db } from "../../../db/index.ts";
import { buildSpanBatch, dispatch, summarize, validateItems } from "../../pipeline.ts";
import { type CloudflareExecution, mapCloudflareTraceItem } from "./map.ts";

/**
 * Spans a request's TraceItems are written in parts of, each TraceItem whole in one part. Every
 * entry of an item becomes a span, so a 5 MB body can hold tens of thousands: checked, mapped and
 * written all at once they kept the process from answering anything else for seconds
 * (docs/performance.md, bench:edge). Between parts, other requests run.
 */
const SPANS_PER_PART = 1_000;

/**
 * Ingests the TraceItems of a Cloudflare tail Worker: each valid item becomes one execution
 * (its id reported back in `results`), each invalid one a 400 result; nothing of an invalid item
 * is written. Workspace redaction and truncation apply as for every source (buildSpanBatch).
 */
export async function ingestCloudflareTraces(db: Db, workspaceId: string, items: unknown[]): Promise<IngestResponse> {
  // Taken before validation, which checks each invocation's end against a later clock (see ZCloudflareTraceItem).
  const receivedAt = new Date();
  const results: ItemResult[] = [];
  let part: CloudflareExecution[] = [];
  let partSpans = 0;
  const write = async () => {
    const batch = await buildSpanBatch(
      db,
      workspaceId,
      "cloudflare",
      part.flatMap((m) => m.spans),
      part.map((m) => m.context),
    );
    part = [];
    partSpans = 0;
    await dispatch(db, batch);
  };
  for (const item of items) {
    const { valid, results: checked } = validateItems([item], ZCloudflareTraceItem, () => null);
    results.push(...checked);
    if (valid.length === 0) continue;
    const mapped = mapCloudflareTraceItem(valid[0] as CloudflareTraceItem, receivedAt);
    checked[0].id = mapped.executionId;
    part.push(mapped);
    partSpans += mapped.spans.length;
    if (partSpans >= SPANS_PER_PART) {
      await write();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (part.length > 0) await write();
  return summarize(results);
}
