import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../contracts/common.ts";
import { ApiError } from "../errors.ts";
import { slicer } from "../event-loop.ts";
import { JSON_PIECE_BYTES, parseJsonChunks, requestBodyChunks } from "./json-chunks.ts";

/** A fixed seed (JSON_CHUNKS_SEED to explore others). */
const PROPERTY = { numRuns: 300, seed: Number(process.env.JSON_CHUNKS_SEED ?? 20_261_206) };

/** `bytes` cut at `cuts` (positions in any order), as a body arrives. */
function* cutAt(bytes: Uint8Array, cuts: number[]): Generator<Uint8Array> {
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(from, cut);
    from = cut;
  }
  yield bytes.subarray(from);
}

/** JSON.parse's answer, or the parser's, as comparable text (keys in order, `__proto__` included). */
const answer = async (parse: () => unknown | Promise<unknown>) => {
  try {
    const value = await parse();
    return value === undefined ? "undefined" : `value ${JSON.stringify(value)}`;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    if (e instanceof SyntaxError) return "invalid_json";
    throw e;
  }
};
const unsliced = () => slicer({ units: Number.POSITIVE_INFINITY, ms: Number.POSITIVE_INFINITY });
const viaChunks = (bytes: Uint8Array, cuts: number[] = []) =>
  answer(() => parseJsonChunks(cutAt(bytes, cuts), unsliced()));
const viaJsonParse = (bytes: Uint8Array) =>
  answer(() => (bytes.length === 0 ? undefined : JSON.parse(Buffer.from(bytes).toString("utf8"))));

// Keys that objects treat specially, and strings with escapes, surrogates (paired or not) and U+0000.
const key = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 5 }),
  fc.constantFrom("__proto__", "constructor", "toString", "", "\u0000", "\ud800"),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "binary", maxLength: 8 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
  ),
}));
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

describe("parseJsonChunks", () => {
  it("gives what JSON.parse gives, wherever the chunks are cut (multi-byte characters included)", async () => {
    await fc.assert(
      fc.asyncProperty(value, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), async (v, cuts, pretty) => {
        const bytes = utf8(JSON.stringify(v, null, pretty ? 2 : undefined));
        expect(await viaChunks(bytes, cuts)).toBe(await viaJsonParse(bytes));
      }),
      PROPERTY,
    );
  });

  it("refuses exactly what JSON.parse refuses (texts near JSON: cut, spliced, with stray characters)", async () => {
    const stray = fc.constantFrom(...'{}[],:"\\ 0-1e.tfn\u00e9\ufeff\n');
    const nearJson = fc
      .tuple(value, fc.nat(), fc.nat(), fc.string({ unit: stray, maxLength: 3 }))
      .map(([v, at, cut, insert]) => {
        const text = JSON.stringify(v);
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(Math.min(text.length, i + (cut % 3)));
      });
    await fc.assert(
      fc.asyncProperty(nearJson, fc.array(fc.nat(), { maxLength: 4 }), async (text, cuts) => {
        const bytes = utf8(text);
        expect(await viaChunks(bytes, cuts)).toBe(await viaJsonParse(bytes));
      }),
      PROPERTY,
    );
  });

  it("keeps __proto__ as an own key, never as the object's prototype", async () => {
    const parsed = (await parseJsonChunks(
      cutAt(utf8('{"a":1,"__proto__":{"polluted":true},"b":[{"__proto__":null}]}'), [8, 20]),
      unsliced(),
    )) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(["a", "__proto__", "b"]);
    expect(Object.getOwnPropertyDescriptor(parsed, "__proto__")?.value).toEqual({ polluted: true });
    expect((parsed as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("refuses nesting past the API's limit (too_deep), and takes nesting at the limit", async () => {
    const nested = (depth: number) => utf8(`${"[".repeat(depth)}${"]".repeat(depth)}`);
    expect(await viaChunks(nested(MAX_JSON_DEPTH))).toMatch(/^value /);
    expect(await viaChunks(nested(MAX_JSON_DEPTH + 1))).toBe("too_deep");
    // Brackets inside strings do not count, and a hostile depth costs no recursion.
    expect(await viaChunks(utf8(`"${"[".repeat(10_000)}"`))).toMatch(/^value /);
    expect(await viaChunks(nested(1_000_000))).toBe("too_deep");
  });

  it("reads no bytes as undefined (as readJson), and refuses a byte order mark or only whitespace", async () => {
    expect(await viaChunks(new Uint8Array(0))).toBe("undefined");
    expect(await viaChunks(utf8("\ufeff{}"))).toBe("invalid_json");
    expect(await viaChunks(utf8(" \n\t"))).toBe("invalid_json");
  });

  it("lets the event loop turn between slices of a large body (counted, not timed)", async () => {
    const text = JSON.stringify({ items: Array.from({ length: 60_000 }, (_, i) => ({ i, s: `item ${i}` })) });
    const pieces = Math.ceil(Buffer.byteLength(text) / JSON_PIECE_BYTES);
    const slices = slicer({ units: 2, ms: Number.POSITIVE_INFINITY });
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const parsed = await parseJsonChunks([utf8(text)], slices);
    counting = false;
    expect(parsed).toEqual(JSON.parse(text));
    expect(pieces).toBeGreaterThan(20);
    expect(slices.yields).toBe(Math.floor(pieces / 2));
    expect(turns).toBeGreaterThanOrEqual(slices.yields);
  });
});

describe("requestBodyChunks", () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    new Request("http://runlens.test/x", { method: "POST", body, headers });
  const read = async (req: Request, max: number) => {
    let bytes = 0;
    for await (const chunk of requestBodyChunks(req, max)) bytes += chunk.byteLength;
    return bytes;
  };

  it("gives the body as it arrives, and 413 past the limit, declared or read", async () => {
    expect(await read(post("x".repeat(100)), 100)).toBe(100);
    await expect(read(post("x".repeat(101)), 100)).rejects.toMatchObject({ status: 413 });
    await expect(read(post("x", { "content-length": "5000" }), 100)).rejects.toMatchObject({ status: 413 });
  });
});
