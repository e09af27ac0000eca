import "server-only";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { readConfig } from "../../../config.ts";
import type { FieldIssue } from "../../../contracts/common.ts";
import type { Db } from "../../../db/index.ts";
import { ApiError, ValidationError } from "../../../errors.ts";
import { processGlobal } from "../../../process-global.ts";
import type { SpanJob } from "../../model.ts";
import { buildSpanBatch, dispatch, dispatchSpanParts } from "../../pipeline.ts";
import { isUnstorable } from "../../poison.ts";
import { protectionSettingsFor } from "../../workspace-settings.ts";
import { type LoadSpanPart, spanJobFormat } from "../../write/spans.ts";
import { type FromOutputWorker, JOINED, type ToOutputWorker } from "./import-worker.ts";
import type { OutputNode } from "./map.ts";
import { type OutputParts, type OutputPrepareSettings, outputSpanParts, readOutputTrace } from "./prepare.ts";

export {
  OUTPUT_SLICE_MS,
  OUTPUT_SLICE_UNITS,
  OUTPUT_SPANS_PER_PART,
  readOutputTrace,
} from "./prepare.ts";

/**
 * Files of at most this many bytes are read on the server's thread, in slices, without a worker
 * (about 2,000 nodes; a worker takes tens of milliseconds to start, more from the sources).
 */
export const OUTPUT_WORKER_MIN_BYTES = 256 * 1024;

export type OutputImportResult = { executionId: string; spans: number; workflowId: string | null; created: boolean };

/**
 * Imports an Output trace file from its bytes as they arrive (a request body, an S3 object) into a
 * workspace as one batch: one queue job or one transaction, so a file is stored whole or not at all.
 * The file (unless small: OUTPUT_WORKER_MIN_BYTES) is read, checked, mapped, protected and
 * serialized in a worker thread (import-worker.ts), which keeps the jobs of its parts and sends
 * each when it is written here, in one transaction as before (with Redis, the worker joins them into the one queue job): a 20 MB
 * file is 160,000 nodes, and that work (its allocations and their garbage collections included)
 * held the server's thread in pauses of up to a second even in slices (docs/performance.md › Edge).
 * Errors are the same: 400 `invalid_json`, `too_deep` or `validation_error` naming each bad field,
 * as readJson would answer; 400 `unstorable` when the database refuses the file.
 */
export async function importOutputTrace(
  db: Db,
  workspaceId: string,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: { workflowId?: string | null } = {},
): Promise<OutputImportResult> {
  // A small file costs the server's thread less than starting a worker would (a few milliseconds,
  // in slices): read the first bytes, and only a file that goes on past them goes to a worker.
  const { head, rest } = await firstBytes(chunks, OUTPUT_WORKER_MIN_BYTES);
  if (!rest) return ingestOutputTrace(db, workspaceId, await readOutputTrace(head), opts);
  return importInWorker(db, workspaceId, rest, opts);
}

/**
 * The chunks of a file up to `limit` bytes; when it has more, `rest` gives them all again (the
 * first ones, then the others as they arrive; stopping it early stops the source).
 */
async function firstBytes(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  limit: number,
): Promise<{ head: Uint8Array[]; rest: AsyncIterable<Uint8Array> | null }> {
  const it: AsyncIterator<Uint8Array> | Iterator<Uint8Array> =
    Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  const head: Uint8Array[] = [];
  let size = 0;
  while (size <= limit) {
    const next = await it.next();
    if (next.done) return { head, rest: null };
    head.push(next.value);
    size += next.value.byteLength;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    try {
      yield* head;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await it.return?.();
    }
  }
  return { head: [], rest: rest() };
}

/** importOutputTrace of a file that is not small: prepared in a worker thread. */
async function importInWorker(
  db: Db,
  workspaceId: string,
  chunks: AsyncIterable<Uint8Array>,
  opts: { workflowId?: string | null },
): Promise<OutputImportResult> {
  const { redactionKeys, prices } = await protectionSettingsFor(db, workspaceId);
  const settings: OutputPrepareSettings = {
    workspaceId,
    redactionKeys,
    prices,
    maxPayloadChars: readConfig().maxPayloadChars,
    format: spanJobFormat(db),
    workflowId: opts.workflowId ?? null,
  };
  const release = await workerSlot();
  let worker: Worker;
  try {
    worker = startOutputWorker();
  } catch (e) {
    release();
    throw e;
  }
  let stopped: Error | null = null;
  const loading = new Map<number, { resolve: (job: SpanJob) => void; reject: (e: Error) => void }[]>();
  const stop = (e: Error) => {
    stopped ??= e;
    for (const waiting of loading.values()) for (const w of waiting) w.reject(e);
    loading.clear();
  };
  const outcome = new Promise<Extract<FromOutputWorker, { type: "done" }>>((resolve, reject) => {
    worker.on("message", (m: FromOutputWorker) => {
      if (m.type === "done") resolve(m);
      else if (m.type === "part") {
        const waiting = loading.get(m.index) ?? [];
        loading.delete(m.index);
        for (const w of waiting) w.resolve(m.job);
      } else {
        const e = workerError(m.error);
        stop(e);
        reject(e);
      }
    });
    worker.on("error", (e) => {
      stop(e);
      reject(e);
    });
    worker.on("exit", (code) => {
      const e = new Error(`The Output import worker exited (code ${code}).`);
      stop(e);
      reject(e);
    });
  });
  outcome.catch(() => undefined);
  const post = (message: ToOutputWorker, transfer?: ArrayBuffer[]) => worker.postMessage(message, transfer);
  /** Part `index` with its rows, or with JOINED all parts as one job, from the worker (see LoadSpanPart). */
  const load = (index: number) =>
    new Promise<SpanJob>((resolve, reject) => {
      if (stopped) return reject(stopped);
      const waiting = loading.get(index);
      if (waiting) waiting.push({ resolve, reject });
      else {
        loading.set(index, [{ resolve, reject }]);
        post(index === JOINED ? { type: "joined" } : { type: "part", index });
      }
    });
  try {
    post({ type: "start", settings });
    for await (const chunk of chunks) {
      // The worker refused the file already (it is not JSON, or too deep): the rest is not read.
      if (stopped) break;
      if (chunk.byteLength === 0) continue;
      // A copy the worker takes over (a chunk may be a view of a larger, shared buffer).
      const own = new Uint8Array(chunk);
      post({ type: "chunk", chunk: own }, [own.buffer as ArrayBuffer]);
    }
    post({ type: "end" });
    const { result, parts } = await outcome;
    return await storeOutputParts(db, workspaceId, result, parts, { load, joined: () => load(JOINED) });
  } finally {
    stop(new Error("The Output import is over."));
    void worker.terminate().finally(release);
  }
}

/**
 * Output files imported at once by this process (API and S3 together); others wait their turn. A
 * worker preparing a 20 MB file holds about 650 MB of heap (the parsed tree and the parts) and a
 * core: this bounds both.
 */
export const OUTPUT_IMPORT_WORKERS = 2;
const workerSlots = processGlobal("__runlensOutputWorkerSlots", () => ({ busy: 0, waiting: [] as (() => void)[] }));

/** Waits for a free worker slot; the function returned frees it. */
async function workerSlot(): Promise<() => void> {
  if (workerSlots.busy >= OUTPUT_IMPORT_WORKERS)
    await new Promise<void>((resolve) => workerSlots.waiting.push(resolve));
  else workerSlots.busy++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = workerSlots.waiting.shift();
    if (next)
      next(); // the slot passes on
    else workerSlots.busy--;
  };
}

/**
 * The worker of one file: Next bundles the entry and its imports as a chunk of their own (Turbopack
 * builds `new Worker(new URL(...))` of node:worker_threads); in the compiled ingest worker
 * (scripts/build-worker.mjs) it is the `import-worker.mjs` beside the bundle; run from the
 * TypeScript sources (tsx, vitest), it loads them through tsx.
 */
function startOutputWorker(): Worker {
  if (process.env.NEXT_RUNTIME) return new Worker(new URL("./import-worker.ts", import.meta.url));
  const here = path.dirname(fileURLToPath(import.meta.url));
  const compiled = path.join(/*turbopackIgnore: true*/ here, "import-worker.mjs");
  if (fs.existsSync(compiled)) return new Worker(compiled);
  const entry = pathToFileURL(path.join(here, "import-worker.ts")).href;
  return new Worker(
    `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true },
  );
}

/** The error the worker reported, as the thread that started it would have thrown it. */
function workerError(e: Extract<FromOutputWorker, { type: "error" }>["error"]): Error {
  if (e.api) {
    const details = e.api.details as FieldIssue[] | undefined;
    return e.api.code === "validation_error" && details
      ? new ValidationError(e.message, details)
      : new ApiError(e.api.status, e.api.code, e.message, details);
  }
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * Imports one Output trace file (its root node, checked) into a workspace as one batch, on this
 * thread in slices (see prepare.ts); like importOutputTrace otherwise. A re-import replaces the same
 * span ids (see mapOutputSpans) and changes nothing. `created` says the execution was not stored
 * before (a file queued but not yet written counts as not stored).
 */
export async function ingestOutputTrace(
  db: Db,
  workspaceId: string,
  root: OutputNode,
  opts: { workflowId?: string | null } = {},
): Promise<OutputImportResult> {
  const parts: SpanJob[] = [];
  const result = await outputSpanParts(
    root,
    { workspaceId, format: spanJobFormat(db), workflowId: opts.workflowId },
    async (spans) => (await buildSpanBatch(db, workspaceId, "output", spans, [])).spans,
    (job) => {
      parts.push(job);
    },
  );
  return storeOutputParts(db, workspaceId, result, parts);
}

/** The parts of one file written (or queued) as one batch; the database refusing any is a 400. */
async function storeOutputParts(
  db: Db,
  workspaceId: string,
  result: OutputParts,
  parts: SpanJob[],
  from?: { load: LoadSpanPart; joined: () => Promise<SpanJob> },
): Promise<OutputImportResult> {
  const existing = await db.prisma.execution.findUnique({
    where: { workspaceId_id: { workspaceId, id: result.executionId } },
    select: { id: true },
  });
  try {
    // With Redis the file is one queue job: joined where its parts are (the worker).
    if (from && readConfig().redisUrl) await dispatch(db, await from.joined());
    else await dispatchSpanParts(db, parts, from?.load);
  } catch (e) {
    if (!isUnstorable(e)) throw e;
    throw new ApiError(400, "unstorable", `The database refused this file: ${(e as Error).message}`);
  }
  return {
    executionId: result.executionId,
    spans: result.spans,
    workflowId: result.execution.external_id,
    created: !existing,
  };
}
