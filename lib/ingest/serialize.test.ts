import { describe, expect, it } from "vitest";
import { cleanStrings } from "./serialize";

describe("cleanStrings", () => {
  it("cleans strings and keys at any depth, without recursion", () => {
    const depth = 100_000;
    let value: unknown = "leaf\u0000\ud800";
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { [`k\u0000${i % 3}`]: value };
    let node = cleanStrings(value);
    for (let i = depth - 1; i >= 0; i--) {
      if (i % 2) node = (node as unknown[])[0];
      else {
        expect(Object.keys(node as object)).toEqual([`k\uFFFD${i % 3}`]);
        node = Object.values(node as object)[0];
      }
    }
    expect(node).toBe("leaf\uFFFD\uFFFD");
  });

  it("copies: keeps a __proto__ key as an own property, Dates and other values as they are", () => {
    const at = new Date(0);
    const input = JSON.parse('{"__proto__": {"a\\u0000": 1}, "list": [null, true, 2.5], "s": "ok"}');
    const out = cleanStrings({ ...input, at }) as Record<string, unknown>;
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(JSON.stringify(out)).toBe(
      `{"__proto__":{"a\uFFFD":1},"list":[null,true,2.5],"s":"ok","at":"1970-01-01T00:00:00.000Z"}`,
    );
    expect(out.at).toBe(at);
  });
});
