import "server-only";
import { randomUUID } from "node:crypto";
import {
  type IngestResponse,
  parseTraceRecordFast,
  type TraceRecord,
  type TrackEvent,
  ZTraceRecord,
  ZTrackEvent,
} from "../../../contracts/ingest.ts";
import type { Db } from "../../../db/index.ts";
import type { EventBatch } from "../../model.ts";
import {
  batchRequestId,
  buildSpanBatch,
  dispatch,
  markUnstorable,
  protectEvent,
  summarize,
  validateItems,
} from "../../pipeline.ts";
import { redactorFor } from "../../workspace-settings.ts";
import { executionContexts, mapTraceRecord, mapTrackEvent } from "./map.ts";

const idField = (item: unknown) => {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : null;
};

/** The SDK's and the HTTP API's traces (POST …/observability/traces): one result per item, in request order. */
export async function ingestTraces(db: Db, workspaceId: string, items: unknown[]): Promise<IngestResponse> {
  const { valid, results } = validateItems(items, ZTraceRecord, idField, parseTraceRecordFast);
  if (valid.length > 0) {
    const records = valid as TraceRecord[];
    const batch = await buildSpanBatch(db, workspaceId, "sdk", records.map(mapTraceRecord), executionContexts(records));
    batch.requestId = batchRequestId();
    markUnstorable(results, await dispatch(db, batch, { unstorable: "return" }));
  }
  return summarize(results);
}

/** track() events (POST …/observability/events): one result per item, in request order. */
export async function ingestEvents(db: Db, workspaceId: string, items: unknown[]): Promise<IngestResponse> {
  const { valid, results } = validateItems(items, ZTrackEvent, idField);
  if (valid.length > 0) {
    const redact = await redactorFor(db, workspaceId);
    const now = new Date();
    const events = (valid as TrackEvent[]).map((e) =>
      protectEvent(
        mapTrackEvent(e, () => `ev_${randomUUID()}`, now),
        redact,
      ),
    );
    const batch: EventBatch = { kind: "events", workspaceId, events, requestId: batchRequestId() };
    const failed = await dispatch(db, batch, { unstorable: "return" });
    // Server-generated ids are reported back so a client can correlate.
    let i = 0;
    for (const r of results) if (r.status === 201) r.id = events[i++].id;
    markUnstorable(results, failed);
  }
  return summarize(results);
}
