import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../contracts/common.ts";
import { jsonDepthExceeds } from "./json-depth.ts";

const bytes = (s: string) => Buffer.from(s, "utf8");
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("jsonDepthExceeds", () => {
  it("allows the limit and refuses one level more, arrays and objects alike", () => {
    expect(jsonDepthExceeds(bytes(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(jsonDepthExceeds(bytes(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    const objects = (d: number) => `${'{"a":'.repeat(d - 1)}{}${"}".repeat(d - 1)}`;
    expect(jsonDepthExceeds(bytes(objects(MAX_JSON_DEPTH)))).toBe(false);
    expect(jsonDepthExceeds(bytes(objects(MAX_JSON_DEPTH + 1)))).toBe(true);
  });

  it("measures depth, not the number of brackets", () => {
    const wide = `[${Array.from({ length: 10_000 }, () => "[[1]]").join(",")}]`;
    expect(jsonDepthExceeds(bytes(wide), 3)).toBe(false);
    expect(jsonDepthExceeds(bytes(wide), 2)).toBe(true);
  });

  it("does not count brackets inside strings, escaped quotes included", () => {
    expect(jsonDepthExceeds(bytes(JSON.stringify({ s: "[".repeat(1000) })), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes(JSON.stringify({ s: `\\"${"{".repeat(500)}\\` })), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes(`["\\\\", [[1]]]`), 2)).toBe(true); // the string ends after "\\"
    expect(jsonDepthExceeds(bytes(JSON.stringify(["é🙂[[[[", [1]])), 2)).toBe(false);
  });

  it("scans 60,000 levels without recursion", () => {
    expect(jsonDepthExceeds(bytes(nested(60_000)))).toBe(true);
  });
});
