// `npx tsx --import ./scripts/server-only.mjs bench/otlp-stages.ts [--spans N] [--rounds N] [--against DIR]`:
// the OTLP trace path of the web process stage by stage, in one process, no database: protobuf
// decoding, mapping to span rows, protection (pricing with the default prices, no redaction rules,
// truncation) and the queued job's COPY text, on the bodies `bench:ingest -- --traffic otlp` sends.
// Prints the CPU µs per span of each stage. With `--against DIR` (another checkout, e.g. a worktree
// of main) it also runs that checkout's decoder and mapping on the same bodies and checks that the
// COPY text and executions are identical (the version column, an acceptance counter, aside).
import path from "node:path";
import { parseArgs } from "node:util";
import { priceSpan } from "../lib/costs/apply.ts";
import { DEFAULT_MODEL_PRICES } from "../lib/costs/default-prices.ts";
import { compilePriceTable } from "../lib/costs/pricing.ts";
import type { SpanBatch } from "../lib/ingest/model.ts";
import { makeRedactor, protectSpan } from "../lib/ingest/protect.ts";
import { decodeTraceRequest } from "../lib/ingest/sources/otlp/decode.ts";
import { mapExportRequest } from "../lib/ingest/sources/otlp/map.ts";
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

type Impl = { decode: typeof decodeTraceRequest; map: (req: never) => ReturnType<typeof mapExportRequest> };
const current: Impl = { decode: decodeTraceRequest, map: mapExportRequest as Impl["map"] };

/** CPU time of this process in ms (the machine is shared: wall time would count other processes). */
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const { spans } = makeData(SPANS);
const { bodies, rows } = otlpBodies(spans, BATCH);
const prices = compilePriceTable(DEFAULT_MODEL_PRICES);
const redact = makeRedactor([]);
const MAX_PAYLOAD = 1_000_000;

/** The body's stored form: COPY text without versions, and the executions. */
function run(impl: Impl, body: Uint8Array, t: Record<string, number>): string {
  let s = cpuNow();
  const req = impl.decode(body, "protobuf");
  t.decode += cpuNow() - s;
  s = cpuNow();
  const mapping = impl.map(req as never);
  t.map += cpuNow() - s;
  s = cpuNow();
  const stored = mapping.spans.map((r) => protectSpan(priceSpan(r, prices), redact, MAX_PAYLOAD));
  t.protect += cpuNow() - s;
  s = cpuNow();
  const batch: SpanBatch = {
    kind: "spans",
    workspaceId: "ws",
    source: "otlp",
    spans: stored,
    executions: mapping.executions,
  };
  const job = toSpanJob(batch, "copy");
  t.copy += cpuNow() - s;
  t.rows += stored.length;
  return `${job.kind === "span_copy" ? job.copy.replace(/\t\d+\n/g, "\n") : ""}${JSON.stringify(job.executions)}`;
}

let against: Impl | null = null;
if (args.against) {
  const dir = path.resolve(args.against, "lib/ingest/sources/otlp");
  const d = await import(path.join(dir, "decode.ts"));
  const m = await import(path.join(dir, "map.ts"));
  against = { decode: d.decodeTraceRequest, map: m.mapExportRequest };
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
  }
}
if (against) {
  const t: Record<string, number> = { decode: 0, map: 0, protect: 0, copy: 0, rows: 0 };
  let differ = 0;
  for (const [i, body] of bodies.entries()) {
    const a = run(current, body, t);
    const b = run(against, body, t);
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
  console.log(JSON.stringify({ compared_bodies: bodies.length, differing: differ }));
  if (differ) process.exitCode = 1;
}
