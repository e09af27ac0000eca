import "server-only";
import { ZodError } from "zod";
import { checkOutputTrace } from "../../../contracts/output.ts";
import type { Db } from "../../../db/index.ts";
import { ApiError } from "../../../errors.ts";
import { nextTurn, runSliced, type Slicer, slicer } from "../../../event-loop.ts";
import { parseJsonChunks } from "../../../http/json-chunks.ts";
import { validationError } from "../../../http/respond.ts";
import type { SpanJob, SpanRow } from "../../model.ts";
import { buildSpanBatch, dispatchSpanParts } from "../../pipeline.ts";
import { isUnstorable } from "../../poison.ts";
import { spanJobFormat, toSpanJob } from "../../write/spans.ts";
import { mapOutputSpans, type OutputNode, outputExecution } from "./map.ts";

/**
 * A trace file is read, checked, mapped and written in slices of the server's thread (a 20 MB file
 * holds 160,000 nodes; done at once, it held the thread for 40 s, docs/performance.md › Edge). A
 * slice ends after this many nodes (checked, visited or mapped), or 8 pieces of JSON (512 KB), or
 * OUTPUT_SLICE_MS, whichever comes first; then the event loop turns.
 */
export const OUTPUT_SLICE_UNITS = 500;
export const OUTPUT_SLICE_MS = 20;
const JSON_PIECES_PER_SLICE = 8;
/**
 * Spans protected and serialized together (a slice of its own) and written by one statement
 * (writeSpanParts).
 */
export const OUTPUT_SPANS_PER_PART = 500;

const newSlicer = (units = OUTPUT_SLICE_UNITS): Slicer => slicer({ units, ms: OUTPUT_SLICE_MS });

/**
 * An Output trace file from its bytes as they arrive (a request body, an S3 object), parsed a piece
 * at a time and checked node by node against ZOutputTraceFile: 400 `invalid_json`, `too_deep` or
 * `validation_error` naming each bad field, as readJson would answer.
 */
export async function readOutputTrace(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<OutputNode> {
  const body = await parseJsonChunks(chunks, newSlicer(JSON_PIECES_PER_SLICE));
  const issues = await runSliced(checkOutputTrace(body), newSlicer());
  if (issues.length > 0) throw validationError(new ZodError(issues));
  return body as OutputNode;
}

/**
 * Imports one Output trace file (its root node, checked) into a workspace as one batch: one queue
 * job or one transaction, so a file is stored whole or not at all; the database refusing any of it
 * is a 400 `unstorable`. Spans are mapped, protected and serialized in parts, a slice at a time. A
 * re-import replaces the same span ids (see mapOutputSpans) and changes nothing. `created` says the
 * execution was not stored before (a file queued but not yet written counts as not stored).
 */
export async function ingestOutputTrace(
  db: Db,
  workspaceId: string,
  root: OutputNode,
  opts: { workflowId?: string | null } = {},
): Promise<{ executionId: string; spans: number; workflowId: string | null; created: boolean }> {
  const execution = outputExecution(root, opts);
  const format = spanJobFormat(db);
  const parts: SpanJob[] = [];
  let part: SpanRow[] = [];
  let spans = 0;
  const flush = async () => {
    const batch = await buildSpanBatch(db, workspaceId, "output", part, [execution]);
    parts.push(toSpanJob(batch, format));
    spans += part.length;
    part = [];
    await nextTurn();
  };
  await runSliced(mapOutputSpans(root, opts), newSlicer(), (span) => {
    if (!span) return;
    part.push(span);
    if (part.length === OUTPUT_SPANS_PER_PART) return flush();
  });
  if (part.length > 0) await flush();
  const existing = await db.prisma.execution.findUnique({
    where: { workspaceId_id: { workspaceId, id: root.id } },
    select: { id: true },
  });
  try {
    await dispatchSpanParts(db, parts);
  } catch (e) {
    if (!isUnstorable(e)) throw e;
    throw new ApiError(400, "unstorable", `The database refused this file: ${(e as Error).message}`);
  }
  return { executionId: root.id, spans, workflowId: execution.external_id, created: !existing };
}
