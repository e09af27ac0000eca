import os from "node:os";
import { parentPort } from "node:worker_threads";
import { ApiError } from "../../../errors.ts";
import type { SpanJob } from "../../model.ts";
import { joinSpanParts } from "../../write/span-job.ts";
import { type OutputParts, type OutputPrepareSettings, prepareOutputFile } from "./prepare.ts";

/**
 * The worker thread of one Output trace file (started by receive.ts › importOutputTrace). It reads
 * the file's bytes as they arrive, checks, maps, protects and serializes it into the jobs of its
 * parts, and keeps them; the server's thread then asks for one part at a time while it writes them.
 * The parsed tree, the serialized text and all the garbage of that work live and are collected in
 * this thread's heap: the server's thread neither runs the work nor holds its results, so its own
 * garbage collections stay as short as between requests (docs/performance.md › Edge).
 *
 * Messages in: `start` (settings), `chunk` (bytes, transferred), `end` (no more bytes), `part`
 * (send part `index`; any number of times: a write may be retried), `joined` (send the parts as one
 * job, for the queue). Out: `done` (the outcome, and each part's job without its rows: `copy` or
 * `rows` empty) or `error`; `part` (the whole job of a part, or with index -1 the joined job).
 */
export type ToOutputWorker =
  | { type: "start"; settings: OutputPrepareSettings }
  | { type: "chunk"; chunk: Uint8Array }
  | { type: "end" }
  | { type: "part"; index: number }
  | { type: "joined" };
export type FromOutputWorker =
  | { type: "done"; result: OutputParts; parts: SpanJob[] }
  | { type: "part"; index: number; job: SpanJob }
  | {
      type: "error";
      error: { message: string; stack?: string; api?: { status: number; code: string; details?: unknown[] } };
    };

/**
 * The niceness of this thread (on Linux a thread's own; the server's thread stays at 0): when the
 * machine's cores are busy, the server's thread is scheduled first, and only the import waits.
 * Elsewhere the setting would apply to the whole process, so it is left alone there.
 */
export const OUTPUT_WORKER_NICENESS = 10;

/** A part's job without its rows (what `done` lists). */
/** The index of the `part` answer to `joined`. */
export const JOINED = -1;

const withoutRows = (job: SpanJob): SpanJob =>
  job.kind === "span_copy" ? { ...job, copy: "" } : { ...job, rows: "[]" };

const port = parentPort;
if (port) {
  if (process.platform === "linux") {
    try {
      os.setPriority(OUTPUT_WORKER_NICENESS);
    } catch {
      // Not allowed here (a sandbox): the import runs at the server's priority.
    }
  }
  const queue: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  const wakeUp = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = queue.shift();
      if (next) yield next;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  const parts: SpanJob[] = [];
  const send = (message: FromOutputWorker) => port.postMessage(message);
  port.on("message", (message: ToOutputWorker) => {
    if (message.type === "chunk") {
      queue.push(message.chunk);
      wakeUp();
    } else if (message.type === "end") {
      ended = true;
      wakeUp();
    } else if (message.type === "part") {
      send({ type: "part", index: message.index, job: parts[message.index] });
    } else if (message.type === "joined") {
      send({ type: "part", index: JOINED, job: joinSpanParts(parts) });
    } else if (message.type === "start") {
      prepareOutputFile(chunks(), message.settings, (job) => {
        parts.push(job);
      }).then(
        (result) => send({ type: "done", result, parts: parts.map(withoutRows) }),
        (e: unknown) => {
          const err = e instanceof Error ? e : new Error(String(e));
          send({
            type: "error",
            error: {
              message: err.message,
              stack: err.stack,
              ...(e instanceof ApiError ? { api: { status: e.status, code: e.code, details: e.details } } : {}),
            },
          });
        },
      );
    }
  });
}
