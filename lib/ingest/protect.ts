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
  const walk = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== "object" || depth > 64) return value;
    if (Array.isArray(value)) {
      let changed = false;
      const out = value.map((v) => {
        const r = walk(v, depth + 1);
        if (r !== v) changed = true;
        return r;
      });
      return changed ? out : value;
    }
    let out: Record<string, unknown> | null = null;
    for (const [k, v] of Object.entries(value)) {
      const r = rules.has(normalizeKey(k)) ? REDACTED : walk(v, depth + 1);
      if (r !== v) {
        out ??= { ...(value as Record<string, unknown>) };
        out[k] = r;
      }
    }
    return out ?? value;
  };
  return (v) => walk(v, 0);
}

export type Truncated = { [TRUNCATED_MARKER]: true; originalSize: number; preview: string };

/**
 * A payload whose JSON is longer than `maxChars` becomes a visible marker with its original size
 * and the first `maxChars` characters of its JSON.
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
  const json = JSON.stringify(value);
  if (json === undefined || json.length <= maxChars) return value;
  return { [TRUNCATED_MARKER]: true, originalSize: json.length, preview: json.slice(0, maxChars) } satisfies Truncated;
}

export function isTruncated(value: unknown): value is Truncated {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[TRUNCATED_MARKER] === true;
}
