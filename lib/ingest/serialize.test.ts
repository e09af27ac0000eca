import { describe, expect, it } from "vitest";
import { emptySpanFields } from "./model";
import { cleanStrings, SPAN_COPY_COLUMNS, spanCopyText } from "./serialize";

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

describe("spanCopyText", () => {
  it("writes one line per span, the workspace id then every column, escaped, in COPY's text format", () => {
    const base = { ...emptySpanFields(), status: "success" as const, started_at: "2026-12-07T01:00:00.000Z" };
    const text = spanCopyText("ws\t1", [
      {
        ...base,
        id: "a\\b",
        execution_id: "ex\n1",
        parent_id: null,
        type: "llm_call",
        name: "say\r\u0000hi",
        ended_at: "2026-12-07T01:00:01.000Z",
        input: { text: 'quote " and back\\slash', nul: "x\u0000" },
        output: "plain",
        llm_model: "gpt-4o",
        tokens_input: 3,
        tokens_total: 5,
        http_status: 200,
        cost: 0.25,
        version: 42,
      },
      { ...base, id: "b", execution_id: "ex", parent_id: "a", type: "log", name: "n" },
    ]);
    const lines = text.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    const first = lines[0].split("\t");
    expect(first).toHaveLength(SPAN_COPY_COLUMNS.length + 1);
    expect(first).toEqual([
      "ws\\t1",
      "a\\\\b",
      "ex\\n1",
      "\\N",
      "llm_call",
      "say\\r\uFFFDhi",
      "\\N",
      "success",
      "2026-12-07T01:00:00.000Z",
      "2026-12-07T01:00:01.000Z",
      '{"text":"quote \\\\" and back\\\\\\\\slash","nul":"x\uFFFD"}',
      '"plain"',
      "\\N",
      "\\N",
      "\\N",
      "gpt-4o",
      "3",
      "\\N",
      "5",
      "\\N",
      "\\N",
      "200",
      "\\N",
      "\\N",
      "0.25",
      "42",
    ]);
    expect(lines[1].split("\t").slice(0, 5)).toEqual(["ws\\t1", "b", "ex", "a", "log"]);
    expect(lines[1].endsWith("\t0")).toBe(true);
  });
});
