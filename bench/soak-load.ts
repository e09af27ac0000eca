// Raw ingest batches of the soak (bench/soak.ts), beside the SDK processes: each item goes through
// several versions (the version travels in the payload), the next version is sent only once the
// previous one is acknowledged, and a batch is sometimes sent twice at once (a client retrying
// while its first try is still in flight).
import { type Attempt, type StatusCounts, sendAndRecord } from "./soak-ledger.ts";
import { sleep } from "./soak-services.ts";

export type LoadContext = {
  url: () => string;
  apiKey: string;
  record: (a: Attempt) => void;
  statuses: StatusCounts;
  stopping: () => boolean;
  /** Bodies of answers that should not happen (5xx other than 503), with the time. */
  errorSamples: string[];
  /** Whether this send also goes out a second time at once. */
  duplicate: () => boolean;
};

const TRACES = "/api/v1/runtime/v1/observability/traces";
const EVENTS = "/api/v1/runtime/v1/observability/events";
/** Longer than any answer the server should take; a hung request is abandoned (and retried). */
const REQUEST_TIMEOUT_MS = 20_000;

async function post(ctx: LoadContext, route: string, envelope: "traces" | "events", items: unknown[]): Promise<void> {
  const body = JSON.stringify({ [envelope]: items });
  const res = await sendAndRecord(
    globalThis.fetch,
    ctx.url() + route,
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ctx.apiKey}` },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    },
    ctx.record,
    ctx.statuses,
  );
  if (res.status >= 500 && res.status !== 503 && ctx.errorSamples.length < 20)
    ctx.errorSamples.push(
      `${new Date().toISOString()} ${res.status} ${(await res.text().catch(() => "")).slice(0, 500)}`,
    );
  else await res.body?.cancel().catch(() => undefined);
}

/**
 * Sends items until each is acknowledged (or the load stops): the unacknowledged ones again, with
 * a growing pause, as a client honouring 503 would.
 */
async function sendUntilAcked<T extends { id: string }>(
  ctx: LoadContext,
  route: string,
  envelope: "traces" | "events",
  items: T[],
): Promise<boolean> {
  let pending = items;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) {
      if (ctx.stopping()) return false;
      await sleep(Math.min(5000, 250 * 2 ** attempt));
    }
    const acked = new Set<string>();
    const capture: LoadContext = {
      ...ctx,
      record: (a) => {
        ctx.record(a);
        if (a.acked) acked.add(a.id);
      },
    };
    const tries = ctx.duplicate() ? 2 : 1;
    await Promise.all(
      Array.from({ length: tries }, () => post(capture, route, envelope, pending).catch(() => undefined)),
    );
    pending = pending.filter((it) => !acked.has(it.id));
  }
  return true;
}

const SPANS_PER_EXECUTION = 20;
/** Versions 1 and 2 are "running" (the second with more output), 3 is the finished span. */
const SPAN_VERSIONS = [1, 2, 3];

function rawSpan(exec: string, i: number, v: number, startedAt: string) {
  const id = i === 0 ? exec : `${exec}-s${i}`;
  const ended = v === SPAN_VERSIONS.at(-1);
  return {
    id,
    executionId: exec,
    parentId: i === 0 ? null : exec,
    type: i === 0 ? "agent_execution" : "tool_call",
    name: i === 0 ? "soak raw run" : `raw step ${i}`,
    agent: "soak-raw",
    status: ended ? "success" : "running",
    startedAt,
    ...(ended ? { endedAt: new Date(Date.parse(startedAt) + 1000 + i).toISOString() } : {}),
    input: { i },
    output: { v, text: "x".repeat(50 * v) },
  };
}

/** Executions of raw spans, each span sent in three versions. */
export async function rawTraceLoop(ctx: LoadContext, worker: number): Promise<number> {
  let executions = 0;
  for (let n = 0; !ctx.stopping(); n++) {
    const exec = `raw${worker}-e${n}`;
    const startedAt = new Date().toISOString();
    for (const v of SPAN_VERSIONS) {
      const spans = Array.from({ length: SPANS_PER_EXECUTION }, (_, i) => rawSpan(exec, i, v, startedAt));
      if (!(await sendUntilAcked(ctx, TRACES, "traces", spans))) return executions;
      await sleep(100);
    }
    executions++;
  }
  return executions;
}

const EVENTS_PER_BATCH = 40;
const EVENT_VERSIONS = [1, 2];
const HOUR = 3_600_000;

/** Batches of events, each event sent in two versions (its properties and hour change). */
export async function rawEventLoop(ctx: LoadContext, worker: number): Promise<number> {
  let batches = 0;
  for (let n = 0; !ctx.stopping(); n++) {
    const now = Date.now();
    for (const v of EVENT_VERSIONS) {
      const events = Array.from({ length: EVENTS_PER_BATCH }, (_, k) => ({
        id: `rawev${worker}-b${n}-${k}`,
        name: k % 2 ? "soak_raw_order" : "soak_raw_view",
        agent: "soak-raw",
        // A new version moves the event to another hour and changes its values: rollups must move.
        timestamp: new Date(now - ((k + v) % 4) * HOUR).toISOString(),
        properties: { v, amount: k * v + 0.25, category: ["a", "b", "c"][(k + v) % 3], paid: v === 2 },
      }));
      if (!(await sendUntilAcked(ctx, EVENTS, "events", events))) return batches;
      await sleep(150);
    }
    batches++;
  }
  return batches;
}
