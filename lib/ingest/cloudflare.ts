import { type CloudflareTraceItem, ZCloudflareTraceItem } from "../contracts/cloudflare.ts";
import type { IngestResponse } from "../contracts/ingest.ts";
import { getDb } from "../db/index.ts";
import { buildSpanBatch, dispatch, summarize, validateItems } from "./pipeline.ts";
import { mapCloudflareTraceItem } from "./sources/cloudflare.ts";

/**
 * Ingests the TraceItems of a Cloudflare tail Worker: each valid item becomes one execution
 * (its id reported back in `results`), each invalid one a 400 result; nothing of an invalid item
 * is written. Workspace redaction and truncation apply as for every source (buildSpanBatch).
 */
export async function ingestCloudflareTraces(workspaceId: string, items: unknown[]): Promise<IngestResponse> {
  // Taken before validation, which checks each invocation's end against a later clock (see ZCloudflareTraceItem).
  const receivedAt = new Date();
  const { valid, results } = validateItems(items, ZCloudflareTraceItem, () => null);
  if (valid.length > 0) {
    const mapped = (valid as CloudflareTraceItem[]).map((item) => mapCloudflareTraceItem(item, receivedAt));
    const db = await getDb();
    const batch = await buildSpanBatch(
      db,
      workspaceId,
      "cloudflare",
      mapped.flatMap((m) => m.spans),
      mapped.map((m) => m.context),
    );
    await dispatch(db, batch);
    let i = 0;
    for (const r of results) if (r.status === 201) r.id = mapped[i++].executionId;
  }
  return summarize(results);
}
