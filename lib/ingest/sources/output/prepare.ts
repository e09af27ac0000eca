import { ZodError } from "zod";
import { checkOutputTrace } from "../../../contracts/output.ts";
import { priceSpan } from "../../../costs/apply.ts";
import { compilePriceTable } from "../../../costs/pricing.ts";
import { nextTurn, runSliced, type Slicer, slicer } from "../../../event-loop.ts";
import { parseJsonChunks } from "../../../http/json-chunks.ts";
import { validationError } from "../../../http/respond.ts";
import type { ExecutionContext, SpanJob, SpanRow } from "../../model.ts";
import { makeRedactor, protectSpan } from "../../protect.ts";
import { toSpanJob } from "../../write/span-job.ts";
import { mapOutputSpans, type OutputNode, outputExecution } from "./map.ts";

/**
 * An Output trace file from its bytes to the jobs of its parts, with no database and no
 * "server-only" module: receive.ts runs this in a worker thread (import-worker.ts) for a file
 * sent to the API or read from S3, or on the calling thread for a parsed tree (ingestOutputTrace).
 */

/**
 * Work on a server's thread is done in slices (a 20 MB file holds 160,000 nodes; done at once, it
 * held the thread for 40 s, docs/performance.md › Edge). A slice ends after this many nodes
 * (checked, visited or mapped), or 8 pieces of JSON (512 KB), or OUTPUT_SLICE_MS, whichever comes
 * first; then the event loop turns.
 */
export const OUTPUT_SLICE_UNITS = 500;
export const OUTPUT_SLICE_MS = 20;
const JSON_PIECES_PER_SLICE = 8;
/**
 * Spans protected and serialized together (a slice of its own) and written by one statement
 * (writeSpanParts).
 */
export const OUTPUT_SPANS_PER_PART = 500;
/**
 * Spans per part of COPY text when a worker thread prepares the file (prepareOutputFile): each part
 * crosses to the server's thread as it is written, where a text this large (about half a megabyte)
 * is allocated as a large object, which the young generation's collections do not copy; and there
 * are fewer statements. JSON rows (PGlite) stay at OUTPUT_SPANS_PER_PART: the embedded database
 * runs each statement on the server's thread.
 */
export const OUTPUT_WORKER_SPANS_PER_PART = 2_000;

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

/** What protecting a file's spans needs, as data (a worker thread gets it by message). */
export type OutputPrepareSettings = {
  workspaceId: string;
  /** The workspace's redaction keys and model prices (lib/ingest/workspace-settings.ts). */
  redactionKeys: string[];
  prices: Parameters<typeof compilePriceTable>[0];
  /** RUNLENS_MAX_PAYLOAD_CHARS. */
  maxPayloadChars: number;
  /** spanJobFormat of the database the parts are for. */
  format: "copy" | "rows";
  workflowId?: string | null;
};

/** Protection (pricing, redaction, truncation) of mapped spans, from settings given as data. */
export function spanProtector(settings: OutputPrepareSettings): (spans: SpanRow[]) => SpanRow[] {
  const redact = makeRedactor(settings.redactionKeys);
  const prices = compilePriceTable(settings.prices);
  return (spans) => spans.map((s) => protectSpan(priceSpan(s, prices), redact, settings.maxPayloadChars));
}

export type OutputParts = { executionId: string; spans: number; execution: ExecutionContext };

/**
 * The spans of a checked file, mapped, protected (`protect`) and serialized in parts of
 * `spansPerPart`, a slice at a time; each part's job goes to `onPart` as soon as it is made,
 * so no list of the file's spans or of its serialized text is kept here.
 */
export async function outputSpanParts(
  root: OutputNode,
  opts: { workspaceId: string; format: "copy" | "rows"; workflowId?: string | null },
  protect: (spans: SpanRow[]) => SpanRow[] | Promise<SpanRow[]>,
  onPart: (job: SpanJob) => void | Promise<void>,
  spansPerPart = OUTPUT_SPANS_PER_PART,
): Promise<OutputParts> {
  const execution = outputExecution(root, opts);
  let part: SpanRow[] = [];
  let spans = 0;
  const flush = async () => {
    const stored = await protect(part);
    const job = toSpanJob(
      { kind: "spans", workspaceId: opts.workspaceId, source: "output", spans: stored, executions: [execution] },
      opts.format,
    );
    spans += part.length;
    part = [];
    await onPart(job);
    await nextTurn();
  };
  await runSliced(mapOutputSpans(root, opts), newSlicer(), (span) => {
    if (!span) return;
    part.push(span);
    if (part.length === spansPerPart) return flush();
  });
  if (part.length > 0) await flush();
  return { executionId: root.id, spans, execution };
}

/** A file from its bytes to its parts (readOutputTrace, then outputSpanParts). */
export async function prepareOutputFile(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  settings: OutputPrepareSettings,
  onPart: (job: SpanJob) => void | Promise<void>,
): Promise<OutputParts> {
  const root = await readOutputTrace(chunks);
  const perPart = settings.format === "copy" ? OUTPUT_WORKER_SPANS_PER_PART : OUTPUT_SPANS_PER_PART;
  return outputSpanParts(root, settings, spanProtector(settings), onPart, perPart);
}
