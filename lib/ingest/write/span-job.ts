import type { SpanBatch, SpanCopyJob, SpanJob, SpanRowsJob } from "../model.ts";
import { cleanRows, rowsJson, spanCopyText } from "../serialize.ts";
import { newerSpan, newestById } from "../version.ts";

// No database here (and no "server-only"): Output trace files are serialized in a worker thread
// (lib/ingest/sources/output/import-worker.ts).

/**
 * Prepares a span batch for the queue and the writer (see SpanJob): COPY text for Postgres, whose
 * COPY parses rows for less CPU than it spends expanding one large jsonb parameter, or JSON rows
 * (PGlite, whose connection is Prisma's; see spanJobFormat).
 */
export function toSpanJob(batch: SpanBatch, format: "copy" | "rows"): SpanJob {
  // An absent (undefined) input or output is left out of the JSON: its column is NULL, like JSON null.
  const spans = newestById(batch.spans, newerSpan);
  const firstStart = new Map<string, string>();
  for (const s of spans) {
    const prev = firstStart.get(s.execution_id);
    if (!prev || s.started_at < prev) firstStart.set(s.execution_id, s.started_at);
  }
  const byId = new Map(batch.executions.map((c) => [c.execution_id, c]));
  // spans has no foreign key to executions: the writer creates every span's execution itself.
  for (const id of firstStart.keys())
    if (!byId.has(id)) throw new Error(`Span batch without the context of its execution ${JSON.stringify(id)}.`);
  const executions = [...byId.values()]
    .filter((c) => firstStart.has(c.execution_id))
    .sort((a, b) => (a.execution_id < b.execution_id ? -1 : 1))
    .map((c) => ({ ...c, started_at: firstStart.get(c.execution_id)! }));
  const base = {
    workspaceId: batch.workspaceId,
    source: batch.source,
    executions: cleanRows(executions),
    count: spans.length,
    ...(batch.requestId ? { requestId: batch.requestId } : {}),
  };
  return format === "copy"
    ? { kind: "span_copy", ...base, copy: spanCopyText(batch.workspaceId, spans), layout: 4 }
    : { kind: "span_rows", ...base, rows: rowsJson(spans) };
}

/** The executions of a batch's parts, each once with its earliest start, in id order. */
export function partsExecutions(parts: readonly SpanJob[]): SpanJob["executions"] {
  if (parts.length === 1) return parts[0].executions;
  const byId = new Map<string, SpanJob["executions"][number]>();
  for (const part of parts)
    for (const c of part.executions) {
      const known = byId.get(c.execution_id);
      if (!known || c.started_at < known.started_at) byId.set(c.execution_id, c);
    }
  return [...byId.values()].sort((a, b) => (a.execution_id < b.execution_id ? -1 : 1));
}

/** A batch's parts as one job (the queue takes a batch as one job). */
export function joinSpanParts(parts: readonly SpanJob[]): SpanJob {
  const [job] = parts;
  const base = { ...job, executions: partsExecutions(parts), count: parts.reduce((n, p) => n + p.count, 0) };
  return job.kind === "span_copy"
    ? { ...base, kind: "span_copy", copy: (parts as SpanCopyJob[]).map((p) => p.copy).join("") }
    : {
        ...base,
        kind: "span_rows",
        rows: `[${(parts as SpanRowsJob[])
          .map((p) => p.rows.slice(1, -1))
          .filter((r) => r !== "")
          .join(",")}]`,
      };
}
