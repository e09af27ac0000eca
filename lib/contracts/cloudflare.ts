import { z } from "zod";
import { epochProblem, ZEpochMs, ZIsoInstant } from "./common.ts";
import { INGEST_MAX_ITEMS } from "./ingest.ts";

/**
 * The body a Cloudflare tail (trace) Worker sends: `JSON.stringify(events)`, an array of TraceItems
 * (shared/spec/cloudflare-trace-workers.txt, shared/spec/cloudflare-tail-runtime.md). Lenient on
 * purpose: the runtime leaves out fields it has no value for (entrypoint, scriptVersion,
 * dispatchNamespace, scriptTags, durableObjectId... locally; scriptName is null there), and future
 * fields are kept (loose objects) so they reach the execution's metadata.
 */

/**
 * Epoch milliseconds (what the runtime sends) or an ISO-8601 string (a Date through JSON, e.g.
 * alarms), of an instant Postgres can store.
 */
export const ZCloudflareInstant = z.union([ZEpochMs, ZIsoInstant]);
export type CloudflareInstant = z.output<typeof ZCloudflareInstant>;

// Limits of one TraceItem's arrays (README › API › Limits): each entry becomes a span, so these keep
// one item's work near that of an SDK batch of 1,000 traces (docs/performance.md, bench:edge).
export const CLOUDFLARE_MAX_LOGS = 1_000;
export const CLOUDFLARE_MAX_EXCEPTIONS = 100;
export const CLOUDFLARE_MAX_DIAGNOSTICS = 1_000;

export const ZCloudflareLog = z.looseObject({
  timestamp: ZCloudflareInstant.nullish(),
  /** debug, info, log, warn, error; kept as sent. */
  level: z.string().max(32).nullish(),
  /** The console call's arguments, one array element each, as JSON. */
  message: z.unknown(),
});

export const ZCloudflareException = z.looseObject({
  timestamp: ZCloudflareInstant.nullish(),
  name: z.string().nullish(),
  message: z.string().nullish(),
  stack: z.string().nullish(),
});

export const ZCloudflareDiagnosticsEvent = z.looseObject({
  timestamp: ZCloudflareInstant.nullish(),
  channel: z.string().max(1024),
  message: z.unknown(),
});

/** Lower-cased names to values; also accepted as [name, value] pairs or {name, value} entries. */
export const ZCloudflareHeaders = z.union([
  z.record(z.string(), z.string()),
  z.array(z.tuple([z.string(), z.string()])),
  z.array(z.object({ name: z.string(), value: z.string() })),
]);

export type CloudflareHeaders = z.output<typeof ZCloudflareHeaders>;

export const ZCloudflareRequest = z.looseObject({
  url: z.string().min(1).max(65_536),
  method: z.string().min(1).max(32),
  headers: ZCloudflareHeaders.nullish(),
  cf: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * The triggering event; its kind follows from its fields (the runtime sends no tag): fetch
 * (request, response), scheduled (cron, scheduledTime), alarm (scheduledTime), queue (queue,
 * batchSize), email (mailFrom, rcptTo, rawSize), tail (consumedEvents), RPC (rpcMethod),
 * hibernatable WebSocket (getWebSocketEvent). Null or {} for the others.
 */
export const ZCloudflareEvent = z.looseObject({
  request: ZCloudflareRequest.optional(),
  response: z.looseObject({ status: z.number().int().min(0).max(999) }).nullish(),
  cron: z.string().max(256).optional(),
  scheduledTime: ZCloudflareInstant.optional(),
  queue: z.string().max(1024).optional(),
  batchSize: z.number().int().nonnegative().optional(),
  mailFrom: z.string().max(1024).optional(),
  rcptTo: z.string().max(1024).optional(),
  rawSize: z.number().nonnegative().optional(),
  consumedEvents: z.array(z.looseObject({ scriptName: z.string().nullish() })).optional(),
  rpcMethod: z.string().max(1024).optional(),
  getWebSocketEvent: z.looseObject({ webSocketEventType: z.string().max(64) }).optional(),
});

const ZCloudflareTraceItemFields = z.looseObject({
  /** Null when the script name is not set (always, under Miniflare and workerd). */
  scriptName: z.string().max(256).nullish(),
  /** ok, canceled, exception, exceededCpu, exceededMemory, scriptNotFound, unknown, ...: kept as sent. */
  outcome: z.string().min(1).max(64),
  eventTimestamp: ZCloudflareInstant.nullish(),
  event: ZCloudflareEvent.nullish(),
  logs: z
    .array(ZCloudflareLog)
    .max(CLOUDFLARE_MAX_LOGS, `At most ${CLOUDFLARE_MAX_LOGS} log entries an item.`)
    .nullish(),
  exceptions: z
    .array(ZCloudflareException)
    .max(CLOUDFLARE_MAX_EXCEPTIONS, `At most ${CLOUDFLARE_MAX_EXCEPTIONS} exceptions an item.`)
    .nullish(),
  diagnosticsChannelEvents: z
    .array(ZCloudflareDiagnosticsEvent)
    .max(CLOUDFLARE_MAX_DIAGNOSTICS, `At most ${CLOUDFLARE_MAX_DIAGNOSTICS} diagnostics channel events an item.`)
    .nullish(),
  truncated: z.boolean().nullish(),
  wallTime: z.number().nonnegative().nullish(),
  cpuTime: z.number().nonnegative().nullish(),
  executionModel: z.string().max(64).nullish(),
  entrypoint: z.string().max(256).nullish(),
  scriptVersion: z
    .looseObject({ id: z.string().nullish(), tag: z.string().nullish(), message: z.string().nullish() })
    .nullish(),
  dispatchNamespace: z.string().max(256).nullish(),
  scriptTags: z.array(z.string()).nullish(),
  durableObjectId: z.string().max(256).nullish(),
});

/** Epoch ms of an instant the runtime sent; undefined when absent. */
export const instantMs = (v: CloudflareInstant | null | undefined): number | undefined =>
  v === null || v === undefined ? undefined : new Date(v).getTime();

/**
 * When the invocation started: `eventTimestamp`, else the earliest log, exception or diagnostics
 * timestamp, else `receivedAt` (the mapping and the check below share this rule).
 */
export function invocationStartMs(item: z.output<typeof ZCloudflareTraceItemFields>, receivedAt: number): number {
  const start = instantMs(item.eventTimestamp);
  if (start !== undefined) return start;
  let earliest = Number.POSITIVE_INFINITY;
  for (const x of [...(item.logs ?? []), ...(item.exceptions ?? []), ...(item.diagnosticsChannelEvents ?? [])]) {
    const t = instantMs(x.timestamp);
    if (t !== undefined && t < earliest) earliest = t;
  }
  return Number.isFinite(earliest) ? earliest : receivedAt;
}

/**
 * The invocation ends `wallTime` after its start, and that end is stored too. An item without any
 * timestamp starts when it is received, after this check: checking against the clock now is
 * checking against an earlier start, so the end the mapping computes is never later.
 */
export const ZCloudflareTraceItem = ZCloudflareTraceItemFields.superRefine((item, ctx) => {
  if (item.wallTime == null) return;
  if (epochProblem(invocationStartMs(item, Date.now()) + item.wallTime))
    ctx.addIssue({
      code: "custom",
      path: ["wallTime"],
      message: `The invocation would end after 9999-12-31T23:59:59.999Z (start + wallTime), which cannot be stored; wallTime is in milliseconds.`,
    });
});
export type CloudflareTraceItemInput = z.input<typeof ZCloudflareTraceItem>;
export type CloudflareTraceItem = z.output<typeof ZCloudflareTraceItem>;

/** The envelope is checked first (items unchecked), then each item alone. */
export const ZCloudflareEnvelope = z
  .array(z.unknown())
  .max(INGEST_MAX_ITEMS, `At most ${INGEST_MAX_ITEMS} trace items a batch.`);
