import type { SpanRow } from "./model.ts";

/**
 * Server-side protection applied once, after a source is mapped and before storage: workspace
 * redaction rules, then truncation of oversized payloads.
 */

export const REDACTED = "[REDACTED]";
export const TRUNCATED_MARKER = "__runlens_truncated";

/** "API-Key", "api_key" and "apiKey" are the same key to a redaction rule. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, "");
}

export type Redactor = (value: unknown) => unknown;

/** Replaces the value of every object key named by a rule, at any depth, with "[REDACTED]". */
export function makeRedactor(keys: readonly string[]): Redactor {
  const rules = new Set(keys.map(normalizeKey).filter(Boolean));
  if (rules.size === 0) return (v) => v;
  // Payload keys repeat from span to span: each distinct key is normalized once.
  const verdicts = new Map<string, boolean>();
  const isRule = (key: string): boolean => {
    let v = verdicts.get(key);
    if (v === undefined) {
      v = rules.has(normalizeKey(key));
      if (verdicts.size < 10_000) verdicts.set(key, v);
    }
    return v;
  };
  return (value) => redact(value, isRule);
}

type Container = Record<string, unknown> | unknown[];
const isContainer = (v: unknown): v is Container => typeof v === "object" && v !== null;

/** A container being walked: its keys (null for an array), the next index, and its copy once changed. */
type Frame = {
  src: Container;
  keys: string[] | null;
  next: number;
  out: Container | null;
  parent: Frame | null;
  slot: string | number;
};

/** Sets `slot` of the frame's copy, made on the first change (defineProperty keeps a "__proto__" key an own property). */
function setSlot(f: Frame, slot: string | number, v: unknown): void {
  f.out ??= Array.isArray(f.src) ? f.src.slice() : { ...f.src };
  Object.defineProperty(f.out, slot, { value: v, enumerable: true, writable: true, configurable: true });
}

/**
 * `value` with the value of every rule key replaced by "[REDACTED]", at any depth, iteratively
 * (payloads are hostile: a deep one must neither overflow the stack nor hide a secret below a depth
 * limit). Containers on the way to a redacted key are copied; everything else is kept as it is.
 */
function redact(value: unknown, isRule: (key: string) => boolean): unknown {
  if (!isContainer(value)) return value;
  const frame = (src: Container, parent: Frame | null, slot: string | number): Frame => ({
    src,
    keys: Array.isArray(src) ? null : Object.keys(src),
    next: 0,
    out: null,
    parent,
    slot,
  });
  const root = frame(value, null, 0);
  const stack = [root];
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    const size = f.keys ? f.keys.length : (f.src as unknown[]).length;
    if (f.next < size) {
      const slot = f.keys ? f.keys[f.next] : f.next;
      f.next++;
      if (typeof slot === "string" && isRule(slot)) setSlot(f, slot, REDACTED);
      else {
        const child = (f.src as Record<string | number, unknown>)[slot];
        if (isContainer(child)) stack.push(frame(child, f, slot));
      }
      continue;
    }
    stack.pop();
    if (f.out && f.parent) setSlot(f.parent, f.slot, f.out);
  }
  return root.out ?? value;
}

export type Truncated = { [TRUNCATED_MARKER]: true; originalSize: number; preview: string };

/** JSON of a number, boolean or null: at most this many characters ("-1.2345678901234567e-308" is 24). */
const MAX_SCALAR_JSON = 32;

/**
 * An upper bound of the length of `JSON.stringify(value)` that stops counting past `limit`
 * (returns Infinity then, or when the value is not plain JSON data: a toJSON method, a class
 * instance, a bigint, deep nesting). A string's JSON is at most 6 characters per UTF-16 unit
 * (`\u001f`) plus its quotes.
 */
function jsonLengthBound(value: unknown, limit: number, depth: number): number {
  switch (typeof value) {
    case "string":
      return 2 + 6 * value.length;
    case "number":
    case "boolean":
      return MAX_SCALAR_JSON;
    case "undefined":
    case "function":
    case "symbol":
      return 4; // "null" in an array, nothing in an object
    case "object": {
      if (value === null) return 4;
      if (depth > 64) return Number.POSITIVE_INFINITY;
      let total = 2;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          total += 1 + jsonLengthBound(value[i], limit - total, depth + 1);
          if (total > limit) return Number.POSITIVE_INFINITY;
        }
        return total;
      }
      const proto = Object.getPrototypeOf(value);
      if (
        (proto !== Object.prototype && proto !== null) ||
        typeof (value as { toJSON?: unknown }).toJSON === "function"
      )
        return Number.POSITIVE_INFINITY;
      const obj = value as Record<string, unknown>;
      for (const k of Object.keys(obj)) {
        total += 4 + 6 * k.length + jsonLengthBound(obj[k], limit - total, depth + 1);
        if (total > limit) return Number.POSITIVE_INFINITY;
      }
      return total;
    }
    default:
      return Number.POSITIVE_INFINITY; // bigint: JSON.stringify decides (it throws)
  }
}

/**
 * A payload whose JSON is longer than `maxChars` becomes a visible marker with its original size
 * and the first `maxChars` characters of its JSON. A payload whose JSON cannot be that long (an
 * upper bound of its length, without serializing it) is returned as is.
 */
export function truncatePayload(value: unknown, maxChars: number): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value === "string") {
    return value.length > maxChars
      ? ({
          [TRUNCATED_MARKER]: true,
          originalSize: value.length,
          preview: value.slice(0, maxChars),
        } satisfies Truncated)
      : value;
  }
  if (typeof value !== "object") return value;
  if (jsonLengthBound(value, maxChars, 0) <= maxChars) return value;
  const json = JSON.stringify(value);
  if (json === undefined || json.length <= maxChars) return value;
  return { [TRUNCATED_MARKER]: true, originalSize: json.length, preview: json.slice(0, maxChars) } satisfies Truncated;
}

/**
 * Redaction (workspace rules) then truncation (RUNLENS_MAX_PAYLOAD_CHARS), once, after mapping.
 * Updates the row (and its llm and message objects) in place and returns it: rows are the
 * adapter's fresh objects, and ingest runs this for every span, so it copies nothing.
 */
export function protectSpan(s: SpanRow, redact: Redactor, maxChars: number): SpanRow {
  s.input = truncatePayload(redact(s.input), maxChars);
  s.output = truncatePayload(redact(s.output), maxChars);
  s.metadata = truncatePayload(redact(s.metadata), maxChars);
  const llm = s.llm as { variables?: unknown; config?: unknown } | null;
  if (llm) {
    llm.variables = truncatePayload(redact(llm.variables), maxChars);
    llm.config = redact(llm.config);
  } else s.llm = null;
  const message = s.message as { content: unknown; metadata?: unknown } | null;
  if (message) {
    message.content = truncatePayload(redact(message.content), maxChars);
    message.metadata = redact(message.metadata ?? null);
  } else s.message = null;
  return s;
}
