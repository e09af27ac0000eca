// `npx tsx --import ./scripts/server-only.mjs bench/otlp-stages.ts [--spans N] [--rounds N] [--against DIR]`:
// the OTLP trace path of the web process stage by stage, in one process, no database: protobuf
// decoding, mapping to span rows, protection (pricing with the default prices, no redaction rules,
// truncation) and the queued job's COPY text, on the bodies `bench:ingest -- --traffic otlp` sends.
// Prints the CPU µs per span of each stage, and of the same stages of the native path on the bench
// bodies (parse, validation and mapping as one "map" stage). With `--against DIR` (another checkout,
// e.g. a worktree of main) it also runs that checkout's code (decoding, mapping, pricing,
// protection, COPY text) on the same bodies, and checks that the COPY text and executions of both
// paths are identical (the version column, an acceptance counter, aside).
import path from "node:path";
import { parseArgs } from "node:util";
import { parseTraceRecordFast, type TraceRecord, ZTraceRecord } from "../lib/contracts/ingest.ts";
import { priceSpanInPlace } from "../lib/costs/apply.ts";
import { DEFAULT_MODEL_PRICES } from "../lib/costs/default-prices.ts";
import { compilePriceTable } from "../lib/costs/pricing.ts";
import type { SpanBatch } from "../lib/ingest/model.ts";
import { makeRedactor, protectSpan } from "../lib/ingest/protect.ts";
import { decodeTraceRequest } from "../lib/ingest/sources/otlp/decode.ts";
import { mapExportRequest } from "../lib/ingest/sources/otlp/map.ts";
import { executionContexts, mapTraceRecord } from "../lib/ingest/sources/sdk/map.ts";
import { toSpanJob } from "../lib/ingest/write/span-job.ts";
import { makeData } from "./data.ts";
import { otlpBodies } from "./traffic.ts";

const { values: args } = parseArgs({
  options: {
    spans: { type: "string" },
    batch: { type: "string" },
    rounds: { type: "string" },
    against: { type: "string" },
  },
});
const SPANS = Number(args.spans ?? 20_000);
const BATCH = Number(args.batch ?? 500);
const ROUNDS = Number(args.rounds ?? 3);

/** One checkout's code of every stage. */
type Impl = {
  decode: typeof decodeTraceRequest;
  map: (req: never) => ReturnType<typeof mapExportRequest>;
  price: typeof priceSpanInPlace;
  protect: typeof protectSpan;
  makeRedactor: typeof makeRedactor;
  toSpanJob: typeof toSpanJob;
  mapTraceRecord: typeof mapTraceRecord;
  executionContexts: typeof executionContexts;
};
const current: Impl = {
  decode: decodeTraceRequest,
  map: mapExportRequest as Impl["map"],
  price: priceSpanInPlace,
  protect: protectSpan,
  makeRedactor,
  toSpanJob,
  mapTraceRecord,
  executionContexts,
};

/** CPU time of this process in ms (the machine is shared: wall time would count other processes). */
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const { spans } = makeData(SPANS);
const { bodies, rows } = otlpBodies(spans, BATCH);
const nativeBodies: string[] = [];
for (let i = 0; i < spans.length; i += BATCH) nativeBodies.push(JSON.stringify({ traces: spans.slice(i, i + BATCH) }));
const prices = compilePriceTable(DEFAULT_MODEL_PRICES);
const MAX_PAYLOAD = 1_000_000;

/** The stored form of a batch: COPY text without versions, and the executions. */
function stored(impl: Impl, batch: SpanBatch, t: Record<string, number>): string {
  const s = cpuNow();
  const job = impl.toSpanJob(batch, "copy");
  t.copy += cpuNow() - s;
  t.rows += batch.spans.length;
  return `${job.kind === "span_copy" ? job.copy.replace(/\t\d+\n/g, "\n") : ""}${JSON.stringify(job.executions)}`;
}

/** Pricing (the default prices) and protection (no redaction rules, truncation), as buildSpanBatch does. */
function protect(impl: Impl, rows: SpanBatch["spans"], t: Record<string, number>): SpanBatch["spans"] {
  const redact = impl.makeRedactor([]);
  const s = cpuNow();
  const out = rows.map((r) => impl.protect(impl.price(r, prices), redact, MAX_PAYLOAD));
  t.protect += cpuNow() - s;
  return out;
}

/** An OTLP body's stored form. */
function run(impl: Impl, body: Uint8Array, t: Record<string, number>): string {
  let s = cpuNow();
  const req = impl.decode(body, "protobuf");
  t.decode += cpuNow() - s;
  s = cpuNow();
  const mapping = impl.map(req as never);
  t.map += cpuNow() - s;
  const spans = protect(impl, mapping.spans, t);
  return stored(impl, { kind: "spans", workspaceId: "ws", source: "otlp", spans, executions: mapping.executions }, t);
}

/** A bench body's stored form through the native path (parse, validation, mapping). */
function runNative(impl: Impl, body: string, t: Record<string, number>): string {
  const s = cpuNow();
  const records = (JSON.parse(body) as { traces: unknown[] }).traces.map(
    (r) => parseTraceRecordFast(r) ?? ZTraceRecord.parse(r),
  );
  const mapped = {
    spans: records.map(impl.mapTraceRecord),
    executions: impl.executionContexts(records as TraceRecord[]),
  };
  t.map += cpuNow() - s;
  const spans = protect(impl, mapped.spans, t);
  return stored(impl, { kind: "spans", workspaceId: "ws", source: "sdk", spans, executions: mapped.executions }, t);
}

let against: Impl | null = null;
if (args.against) {
  const dir = path.resolve(args.against, "lib/ingest/sources/otlp");
  const ingest = path.resolve(args.against, "lib/ingest");
  const d = await import(path.join(dir, "decode.ts"));
  const m = await import(path.join(dir, "map.ts"));
  const p = await import(path.join(ingest, "protect.ts"));
  const c = await import(path.resolve(args.against, "lib/costs/apply.ts"));
  const j = await import(path.join(ingest, "write/span-job.ts"));
  const sdk = await import(path.join(ingest, "sources/sdk/map.ts"));
  against = {
    decode: d.decodeTraceRequest,
    map: m.mapExportRequest,
    price: c.priceSpanInPlace,
    protect: p.protectSpan,
    makeRedactor: p.makeRedactor,
    toSpanJob: j.toSpanJob,
    mapTraceRecord: sdk.mapTraceRecord,
    executionContexts: sdk.executionContexts,
  };
}

const us = (ms: number) => Math.round((ms * 1000) / SPANS);
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, impl] of [["this", current], ...(against ? [["against", against]] : [])] as [string, Impl][]) {
    const t: Record<string, number> = { decode: 0, map: 0, protect: 0, copy: 0, rows: 0 };
    for (const body of bodies) run(impl, body, t);
    const { rows: stored, ...stages } = t;
    const total = Object.values(stages).reduce((a, b) => a + b, 0);
    console.log(
      JSON.stringify({
        round,
        code: name,
        spans: SPANS,
        rows: stored,
        expected_rows: rows,
        cpu_us_per_span: {
          ...Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, us(v)])),
          total: us(total),
        },
      }),
    );
    const n: Record<string, number> = { map: 0, protect: 0, copy: 0, rows: 0 };
    for (const body of nativeBodies) runNative(impl, body, n);
    const { rows: _rows, ...nativeStages } = n;
    console.log(
      JSON.stringify({
        round,
        code: name,
        path: "native",
        cpu_us_per_span: {
          ...Object.fromEntries(Object.entries(nativeStages).map(([k, v]) => [k, us(v)])),
          total: us(Object.values(nativeStages).reduce((a, b) => a + b, 0)),
        },
      }),
    );
  }
}
if (against) {
  const t: Record<string, number> = { decode: 0, map: 0, protect: 0, copy: 0, rows: 0 };
  let differ = 0;
  const pairs = [
    ...bodies.map((body) => [run(current, body, t), run(against!, body, t)]),
    ...nativeBodies.map((body) => [runNative(current, body, t), runNative(against!, body, t)]),
  ];
  for (const [i, [a, b]] of pairs.entries()) {
    if (a !== b) {
      differ++;
      if (differ === 1) {
        let at = 0;
        while (a[at] === b[at]) at++;
        console.error(
          `body ${i} differs at ${at}:\n this:    ${a.slice(at - 200, at + 200)}\n against: ${b.slice(at - 200, at + 200)}`,
        );
      }
    }
  }
  console.log(
    JSON.stringify({ compared_bodies: { otlp: bodies.length, native: nativeBodies.length }, differing: differ }),
  );
  if (differ) process.exitCode = 1;
}
