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
  const walk = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== "object" || depth > 64) return value;
    if (Array.isArray(value)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        const r = walk(v, depth + 1);
        if (r !== v) {
          out ??= value.slice();
          out[i] = r;
        }
      }
      return out ?? value;
    }
    let out: Record<string, unknown> | null = null;
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      const r = isRule(k) ? REDACTED : walk(v, depth + 1);
      if (r !== v) {
        out ??= { ...obj };
        out[k] = r;
      }
    }
    return out ?? value;
  };
  return (v) => walk(v, 0);
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
