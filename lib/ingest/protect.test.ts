import { describe, expect, it } from "vitest";
import { makeRedactor, REDACTED, TRUNCATED_MARKER, truncatePayload } from "./protect";

/** The definition truncatePayload must keep: the JSON's length decides, the marker shows its start. */
function reference(value: unknown, max: number): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value === "string")
    return value.length > max
      ? { [TRUNCATED_MARKER]: true, originalSize: value.length, preview: value.slice(0, max) }
      : value;
  if (typeof value !== "object") return value;
  const json = JSON.stringify(value);
  if (json === undefined || json.length <= max) return value;
  return { [TRUNCATED_MARKER]: true, originalSize: json.length, preview: json.slice(0, max) };
}

function random(seed: number) {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const chars = ["a", "é", "\n", '"', "\\", "\u0001", "\ud800", "😀", " ", "\u2028"];
  const str = (n: number) => Array.from({ length: n }, () => chars[Math.floor(r() * chars.length)]).join("");
  const value = (depth: number): unknown => {
    const k = Math.floor(r() * (depth > 3 ? 5 : 7));
    if (k === 0) return str(Math.floor(r() * 30));
    if (k === 1) return (Math.floor(r() * 1e6) / 7) * (r() < 0.2 ? -1e-9 : 1);
    if (k === 2) return r() < 0.5;
    if (k === 3) return null;
    if (k === 4) return r() < 0.2 ? undefined : str(2);
    if (k === 5) return Array.from({ length: Math.floor(r() * 5) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(r() * 5); i > 0; i--) o[str(1 + Math.floor(r() * 6))] = value(depth + 1);
    return o;
  };
  return value;
}

describe("truncatePayload", () => {
  it("keeps a payload whose JSON is exactly the limit, and marks one a character longer", () => {
    const v = { text: "x".repeat(20) };
    const len = JSON.stringify(v).length;
    expect(truncatePayload(v, len)).toBe(v);
    expect(truncatePayload(v, len - 1)).toEqual({
      [TRUNCATED_MARKER]: true,
      originalSize: len,
      preview: JSON.stringify(v).slice(0, len - 1),
    });
  });

  it("counts escapes, toJSON and skipped values as JSON.stringify does", () => {
    const escaped = { s: '\u0001\u0002"\\\n'.repeat(10) };
    const date = { at: new Date(0) };
    const skipped = { a: undefined, f: () => 1, list: [undefined, () => 1] };
    for (const v of [escaped, date, skipped, [new Date(0)], { m: new Map([[1, 2]]) }]) {
      const len = JSON.stringify(v).length;
      for (const max of [1, len - 1, len, len + 1]) expect(truncatePayload(v, max)).toEqual(reference(v, max));
    }
  });

  it("agrees with the definition on random payloads around their size", () => {
    const value = random(7);
    for (let i = 0; i < 3000; i++) {
      const v = value(0);
      const len = JSON.stringify(v)?.length ?? 0;
      for (const max of [1, Math.max(1, len - 1), Math.max(1, len), len + 1, 200_000]) {
        const got = truncatePayload(v, max);
        expect(got).toEqual(reference(v, max));
        if (got !== null && typeof got === "object" && !(TRUNCATED_MARKER in got)) expect(got).toBe(v);
      }
    }
  });
});

describe("makeRedactor", () => {
  it("redacts a named key nested deeper than any recursion limit", () => {
    let payload: Record<string, unknown> = { password: "hunter2", keep: 1 };
    for (let i = 0; i < 100_000; i++) payload = { level: payload };
    let out = makeRedactor(["password"])(payload) as Record<string, unknown>;
    for (let i = 0; i < 100_000; i++) out = out.level as Record<string, unknown>;
    expect(out).toEqual({ password: REDACTED, keep: 1 });
  });

  it("redacts named keys at any depth, whatever their spelling, and keeps untouched values as they are", () => {
    const redact = makeRedactor(["api_key", "password"]);
    const clean = { a: [1, { b: "c" }], d: null };
    expect(redact(clean)).toBe(clean);
    const input = { ok: { keep: 1 }, list: [{ "API-Key": "k" }, { n: 1 }], nested: { Password: { deep: true } } };
    const out = redact(input) as typeof input;
    expect(out).toEqual({
      ok: { keep: 1 },
      list: [{ "API-Key": REDACTED }, { n: 1 }],
      nested: { Password: REDACTED },
    });
    expect(out.ok).toBe(input.ok);
    expect(out.list[1]).toBe(input.list[1]);
    expect(input.list[0]).toEqual({ "API-Key": "k" }); // the input is not changed
  });
});
