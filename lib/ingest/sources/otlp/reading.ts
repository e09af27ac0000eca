import type { SPAN_TYPES } from "../../../contracts/ingest.ts";
import type { ChatMessage } from "../../../contracts/messages.ts";

/**
 * What one convention family read from a span's attributes. Every field is optional: a family
 * gives what its attributes carry, and `mergeReadings` takes each field from the first family that
 * gave it, in precedence order (lib/ingest/sources/otlp/conventions.ts).
 */
export type Reading = {
  type?: (typeof SPAN_TYPES)[number];
  /** For `workflow_step`: the step style (function, evaluator...). */
  stepType?: string;
  /** A name the user recognises (their function id, the tool's name), replacing the span name. */
  name?: string;
  model?: string;
  provider?: string;
  operation?: string;
  usage?: Usage;
  /** USD of the call as the client priced it (it then wins over Settings › Models). */
  cost?: number;
  /** Request parameters: temperature, max_tokens... */
  config?: Record<string, unknown>;
  /** Tool definitions offered to the model. */
  tools?: unknown[];
  finishReasons?: string[];
  timeToFirstTokenMs?: number;
  input?: unknown;
  output?: unknown;
  /** Thread, session, user and company ids carried by this span. */
  context?: ContextIds;
  /** Attribute keys (or key prefixes ending in ".") consumed as input/output: not repeated in metadata. */
  payloadKeys?: string[];
};

export type Usage = {
  input?: number;
  output?: number;
  total?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
};

export type ContextIds = {
  threadId?: string;
  sessionId?: string;
  userId?: string;
  companyId?: string;
};

export type Messages = ChatMessage[];

/**
 * Each field from the first reading that has it; usage and context field by field. A reading's
 * payload keys are listed only when its input, output or tools were taken: payload attributes of a
 * family that lost are kept in metadata, so nothing a client sent disappears.
 */
export function mergeReadings(readings: Reading[]): Reading {
  const out: Reading = {};
  const usage: Usage = {};
  const context: ContextIds = {};
  const payloadKeys: string[] = [];
  for (const r of readings) {
    let usedPayload = false;
    // for...in rather than Object.entries: readings are plain literals, and this runs for every family of every span.
    for (const key in r) {
      const k = key as keyof Reading;
      const v = r[k];
      if (v === undefined || k === "usage" || k === "context" || k === "payloadKeys" || out[k] !== undefined) continue;
      (out as Record<string, unknown>)[k] = v;
      if (k === "input" || k === "output" || k === "tools") usedPayload = true;
    }
    fillMissing(usage, r.usage);
    fillMissing(context, r.context);
    if (usedPayload && r.payloadKeys) for (const p of r.payloadKeys) payloadKeys.push(p);
  }
  if (Object.keys(usage).length) out.usage = usage;
  if (Object.keys(context).length) out.context = context;
  if (payloadKeys.length) out.payloadKeys = payloadKeys;
  return out;
}

function fillMissing<T extends object>(into: T, from: T | undefined): void {
  if (!from) return;
  for (const k in from) {
    const v = from[k];
    if (v !== undefined && into[k] === undefined) into[k] = v;
  }
}

/** Whether an attribute key is one of `payloadKeys` (exact, or under a prefix ending in "."). */
export function isPayloadKey(key: string, payloadKeys: string[]): boolean {
  return payloadKeys.some((p) => (p.endsWith(".") ? key.startsWith(p) : key === p));
}

/** A span event as the families read it: its name and attributes. */
export type SpanEvent = { name: string; attrs: Record<string, unknown> };
