import { MAX_TOKENS } from "../../../contracts/common.ts";
import type { OtlpAnyValue, OtlpKeyValue } from "../../../contracts/otlp.ts";

/**
 * Reading attribute values that come from clients: every helper answers null (or skips) for a
 * value of the wrong type instead of throwing, so a malformed attribute loses itself, never its span.
 */

export type Attrs = Record<string, unknown>;

/** OTLP key/values to a plain object: int64 as a number when exact, else its decimal string. */
export function attributesToObject(kvs: OtlpKeyValue[] | undefined): Attrs {
  const out: Attrs = {};
  for (const kv of kvs ?? []) if (kv.key) setOwn(out, kv.key, anyValue(kv.value));
  return out;
}

function anyValue(v: OtlpAnyValue | undefined): unknown {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : v.intValue;
  }
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue !== undefined) return attributesToObject(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue).toString("base64");
  return null;
}

/**
 * Sets an own, enumerable property, whatever the key (`__proto__` included). On a plain object
 * every other key is an own data property when assigned (Object.prototype's only setter is
 * `__proto__`), and assigning is many times cheaper than defineProperty; arrays keep defineProperty
 * (`length` must throw as it always did, not resize).
 */
export function setOwn(o: object, key: string, value: unknown): void {
  if (key === "__proto__" || Array.isArray(o))
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else (o as Attrs)[key] = value;
}

export const isRecord = (v: unknown): v is Attrs => typeof v === "object" && v !== null && !Array.isArray(v);

/** A non-empty string, else null. */
export const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** A string, or a number or boolean written as one (ids sent as ints); else null. */
export const idText = (v: unknown): string | null =>
  typeof v === "number" || typeof v === "boolean" ? String(v) : str(v);

export const clip = (v: string | null, max: number) => (v && v.length > max ? v.slice(0, max) : v);

/** A finite number, or a numeric string; else null. */
export function num(v: unknown): number | null {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

/** A client-sent cost (USD): a finite number from 0 up, else undefined (dropped, never the span). */
export function cost(v: unknown): number | undefined {
  const n = num(v);
  return n !== null && n >= 0 ? n : undefined;
}

/**
 * A count from an int or numeric-string attribute: whole, from 0 to `max` (the column's range),
 * else null. An attribute that does not fit is dropped, never the span.
 */
export function count(v: unknown, max: number): number | null {
  const n = num(v);
  return n !== null && Number.isInteger(n) && n >= 0 && n <= max ? n : null;
}
export const tokenCount = (v: unknown) => count(v, MAX_TOKENS);

/** The first of `keys` whose attribute is a usable token count (conventions renamed their usage keys over time). */
export function firstTokenCount(attrs: Attrs, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const n = tokenCount(attrs[k]);
    if (n !== null) return n;
  }
  return undefined;
}

/** The value of a JSON string, or undefined when it is not valid JSON. */
export function parseJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** Attribute values that carry JSON as a string (messages, tool arguments...): parsed when they are an object or array. */
export function jsonish(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) return parseJson(t) ?? v;
  return v;
}

/** A list from an array attribute or a JSON array string (some SDKs send lists as JSON); else null. */
export function list(v: unknown): unknown[] | null {
  const parsed = jsonish(v);
  return Array.isArray(parsed) ? parsed : null;
}

/** Strings of a list attribute (finish reasons, tags); non-strings are skipped. */
export function strings(v: unknown): string[] | null {
  const l = typeof v === "string" && !v.trim().startsWith("[") ? [v] : list(v);
  const out = (l ?? []).filter((x): x is string => typeof x === "string" && x !== "");
  return out.length ? out : null;
}

/**
 * `o` without its undefined keys (absent stays absent in the stored JSON): `o` itself when it has
 * none, else a new object with the other keys in their order. Deleting keys from `o` would turn it
 * into a dictionary-mode object (V8), slower to read and to serialize than one built key by key:
 * these objects (readings, message parts, a span's `llm`) are read and stringified again later.
 */
export function compact<T extends object>(o: T): T {
  const keys = Object.keys(o);
  let i = 0;
  while (i < keys.length && (o as Attrs)[keys[i]] !== undefined) i++;
  if (i === keys.length) return o;
  const out: Attrs = {};
  for (const k of keys) {
    const v = (o as Attrs)[k];
    if (v !== undefined) setOwn(out, k, v);
  }
  return out as T;
}

/** Highest position accepted in indexed attributes (a sparse array of billions would stall the mapping). */
export const MAX_INDEX = 10_000;
const isIndex = (seg: string) => /^\d+$/.test(seg) && Number(seg) <= MAX_INDEX;

/**
 * Indexed attributes (`gen_ai.prompt.0.role`, `llm.input_messages.0.message.content`, ...) under
 * `prefix` as an array of objects; numeric path segments are array positions, positions above
 * MAX_INDEX are ignored and holes are dropped. Null when there are none. Keys come from the client:
 * every write is an own property (no `__proto__` or `constructor` walk).
 */
export function unflattenIndexed(attrs: Attrs, prefix: string): unknown[] | null {
  const out: unknown[] = [];
  let found = false;
  for (const [key, value] of Object.entries(attrs)) {
    if (!key.startsWith(prefix)) continue;
    const path = key.slice(prefix.length).split(".");
    if (path.length < 2 || !isIndex(path[0])) continue;
    found = true;
    let node = out as unknown as Attrs;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i];
      if (Array.isArray(node) && !isIndex(seg)) break;
      if (!Object.hasOwn(node, seg)) setOwn(node, seg, isIndex(path[i + 1]) ? [] : {});
      const next = node[seg];
      if (typeof next !== "object" || next === null) break;
      node = next as Attrs;
      if (i === path.length - 2) setOwn(node, path[i + 1], value);
    }
  }
  return found ? compactArrays(out) : null;
}

/** Drops the holes of sparse arrays, at every depth (positions only order the items). */
function compactArrays(v: unknown[]): unknown[] {
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.filter((i) => i !== undefined).map(walk);
    if (isRecord(x)) for (const k of Object.keys(x)) x[k] = walk(x[k]);
    return x;
  };
  return walk(v) as unknown[];
}

/**
 * Attributes under `prefix` (e.g. `ai.telemetry.metadata.`), keyed by the rest of their name, but
 * `except`; null when none. (Leaving a key out, rather than deleting it after, keeps the object in
 * V8's fast mode: it is stored and serialized.)
 */
export function withPrefix(attrs: Attrs, prefix: string, except?: string): Attrs | null {
  let out: Attrs | null = null;
  for (const k of Object.keys(attrs)) {
    if (!k.startsWith(prefix) || k.length === prefix.length) continue;
    const rest = k.slice(prefix.length);
    if (rest === except) continue;
    out ??= {};
    setOwn(out, rest, attrs[k]);
  }
  return out;
}
