import { describe, expect, it } from "vitest";
import { parseTraceRecordFast, TRACE_FAST_PATH_ENABLED, ZTraceRecord, ZTrackEvent } from "./ingest";

/** Same keys, same values (Dates by time), same absence: what the pipeline can observe. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join("\u0000") !== kb.join("\u0000")) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

const base = (i: number): Record<string, unknown> => ({
  id: `span-${i}`,
  executionId: `exec-${i % 7}`,
  parentId: i % 3 === 0 ? null : `span-${i - 1}`,
  type: ["llm_call", "tool_call", "conversation_message", "workflow_step", "http_call", "custom"][i % 6],
  name: `step ${i}`,
  stepType: i % 6 === 3 ? "function" : undefined,
  status: ["running", "success", "error", undefined][i % 4],
  startedAt: i % 5 === 0 ? 1_767_225_600_000 + i : new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  endedAt: new Date(Date.UTC(2026, 0, 1, 0, 1, i)).toISOString(),
  agent: "support",
  threadId: "t1",
  sessionId: null,
  identify: { type: "customer", value: "c1", extra: 1 },
  input: { q: "hello", nested: [1, { a: null }] },
  output: "plain text",
  metadata: { env: "prod" },
  error: i % 4 === 2 ? { name: "E", message: "boom", stack: "at x", code: 42 } : null,
  llm:
    i % 6 === 0
      ? {
          model: "gpt",
          provider: "openai",
          variables: { x: 1 },
          config: { temperature: 0.2 },
          usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, cached: 3 },
          cost: 0.01,
          extra: true,
        }
      : undefined,
  http: i % 6 === 4 ? { method: "get", url: "https://x.test/a", statusCode: 200, headers: {} } : undefined,
  message: i % 6 === 2 ? { role: "user", content: "hi", metadata: { channel: "web" }, extra: 1 } : undefined,
  unknownTopLevel: "dropped",
});

// Values that are valid somewhere, invalid elsewhere, or unusual.
const ODD: unknown[] = [
  null,
  undefined,
  "",
  "x",
  "x".repeat(65),
  "x".repeat(129),
  "x".repeat(257),
  "not a date",
  "2026-01-01",
  0,
  -1,
  1.5,
  8.64e15,
  8.64e15 + 1,
  Number.MAX_SAFE_INTEGER + 2,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  {},
  { type: "image", url: "u" },
  { type: "" },
  { message: "m" },
  { method: "GET", url: "u" },
  { role: "user", content: "c" },
  { role: "user", content: { type: "text", text: "t" } },
  { role: "user", content: "c", metadata: [] },
  { inputTokens: 1 },
  { inputTokens: -1 },
  { type: "a", value: "b" },
  new Date(0),
  Object.create(null),
  "running",
  "cancelled",
  // What Postgres cannot store: ids are refused, times outside years 1 to 9999 too.
  "x\u0000",
  "span-1\ud800",
  "\udc00",
  "x\ud83d\ude00",
  "+010000-01-01T00:00:00.000Z",
  "0000-06-01T00:00:00.000Z",
  "-000001-01-01T00:00:00.000Z",
  "0001-01-01T00:00:00.000Z",
  "9999-12-31T23:59:59.999Z",
  -62_135_596_800_000,
  -62_135_596_800_001,
  253_402_300_799_999,
  253_402_300_800_000,
  1.7e15,
  1.7e18,
  1_712_345_678.5,
  Number.MAX_SAFE_INTEGER,
  { inputTokens: Number.MAX_SAFE_INTEGER, outputTokens: 1 },
  { inputTokens: Number.MAX_SAFE_INTEGER, outputTokens: 1, totalTokens: 3 },
];

describe("parseTraceRecordFast", () => {
  it("knows every field of the schema (else it switches itself off)", () => {
    expect(TRACE_FAST_PATH_ENABLED).toBe(true);
  });

  it("returns exactly the schema's output, or leaves the item to the schema", () => {
    const r = rng(11);
    const keys = Object.keys(base(0)).concat(["cost"]);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const item = base(i);
      // Mutate a few fields: delete, replace at the top level or one level down.
      const mutations = Math.floor(r() * 3);
      for (let m = 0; m < mutations; m++) {
        const k = keys[Math.floor(r() * keys.length)];
        const roll = r();
        if (roll < 0.2) delete item[k];
        else if (roll < 0.7) item[k] = ODD[Math.floor(r() * ODD.length)];
        else if (item[k] && typeof item[k] === "object" && !Array.isArray(item[k])) {
          const inner = { ...(item[k] as Record<string, unknown>) };
          const ik = Object.keys(inner)[Math.floor(r() * Object.keys(inner).length)] ?? "extra";
          if (r() < 0.3) delete inner[ik];
          else inner[ik] = ODD[Math.floor(r() * ODD.length)];
          item[k] = inner;
        }
      }
      const quick = parseTraceRecordFast(item);
      const schema = ZTraceRecord.safeParse(item);
      if (quick) {
        fast++;
        expect(schema.success, JSON.stringify(item)).toBe(true);
        expect(same(quick, schema.data), JSON.stringify(item)).toBe(true);
      }
    }
    expect(fast).toBeGreaterThan(2_000); // the common shapes do take the fast path
  });

  it("takes the fast path for ordinary SDK records and leaves invalid ones to the schema", () => {
    const ok = base(6);
    expect(same(parseTraceRecordFast(ok), ZTraceRecord.parse(ok))).toBe(true);
    expect(parseTraceRecordFast({ ...ok, endedAt: "2020-01-01T00:00:00Z" })).toBeNull();
    expect(parseTraceRecordFast({ ...ok, parentId: ok.id })).toBeNull();
    expect(parseTraceRecordFast({ ...ok, type: "conversation_message", message: null })).toBeNull();
    expect(parseTraceRecordFast({ ...ok, id: "" })).toBeNull();
  });
});

describe("prototype keys", () => {
  const own = (o: unknown) => Object.keys(o as object);

  it("stay ordinary keys of event properties and message metadata, in the schema and the fast path", () => {
    const event = ZTrackEvent.parse(JSON.parse('{"name":"e","properties":{"__proto__":{"x":1},"constructor":2}}'));
    expect(own(event.properties)).toEqual(["__proto__", "constructor"]);
    expect(JSON.stringify(event.properties)).toBe('{"__proto__":{"x":1},"constructor":2}');
    const record = JSON.parse(
      '{"id":"s","executionId":"e","type":"conversation_message","name":"m","startedAt":0,' +
        '"message":{"role":"user","content":"hi","metadata":{"__proto__":"kept","a":1}}}',
    );
    for (const parsed of [ZTraceRecord.parse(record), parseTraceRecordFast(record)]) {
      expect(own(parsed?.message?.metadata)).toEqual(["__proto__", "a"]);
      expect(Object.getPrototypeOf(parsed?.message?.metadata)).toBe(Object.prototype);
    }
    const content = ZTraceRecord.parse({
      ...record,
      message: JSON.parse('{"role":"user","content":{"type":"image","__proto__":{"url":"u"}}}'),
    });
    expect(own(content.message?.content)).toEqual(["type", "__proto__"]);
  });
});
