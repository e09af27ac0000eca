import { describe, expect, it } from "vitest";
import type { SpanRow } from "../ingest/model.ts";
import { priceSpan, priceSpanInPlace } from "./apply.ts";
import { compilePriceTable } from "./pricing.ts";

const table = compilePriceTable([
  { model: "gpt-4o*", input: 2.5, output: 10, cachedInput: 1.25 },
  { model: "o3*", input: 2, output: 8, reasoning: 8, startsAt: "2025-06-10" },
]);

const row = (over: Partial<SpanRow>): SpanRow => ({
  id: "s1",
  execution_id: "e1",
  parent_id: null,
  type: "llm_call",
  name: "call",
  step_type: null,
  status: "success",
  started_at: "2026-01-01T00:00:00.000Z",
  ended_at: "2026-01-01T00:00:01.000Z",
  input: { q: "hi" },
  output: null,
  metadata: null,
  error: null,
  llm: { model: "gpt-4o", provider: "openai", usage: { inputTokens: 100, outputTokens: 20 } },
  llm_model: "gpt-4o",
  tokens_input: 100,
  tokens_output: 20,
  tokens_total: 120,
  http_method: null,
  http_url: null,
  http_status: null,
  message: null,
  message_role: null,
  ...over,
});

/** Every kind of span pricing treats differently. */
const CASES: [string, () => SpanRow][] = [
  ["priced by the table", () => row({})],
  ["cached and reasoning tokens", () => row({ llm: { model: "gpt-4o", usageDetails: { cacheReadTokens: 40 } } })],
  ["the client's own cost", () => row({ llm: { model: "gpt-4o", cost: 0.5 } })],
  ["a client cost beside a stale price is priced again", () => row({ llm: { cost: 9, price: { model: "x" } } })],
  ["no model", () => row({ llm_model: null, llm: { provider: "openai" } })],
  ["a model the table does not know", () => row({ llm_model: "mystery", llm: { model: "mystery" } })],
  [
    "unknown model with a stale cost and price: both go, other keys keep their order",
    () => row({ llm_model: "mystery", llm: { a: 1, cost: 2, b: 3, price: { model: "old" }, c: 4 } }),
  ],
  ["no token counts", () => row({ tokens_input: null, tokens_output: null })],
  ["a price dated after the call", () => row({ llm_model: "o3-mini", started_at: "2025-01-01T00:00:00.000Z" })],
  ["no llm object", () => row({ llm: null })],
  ["an llm that is not an object", () => row({ llm: "text" as unknown })],
  ["an embedding", () => row({ type: "embedding" })],
  ["not a model call", () => row({ type: "tool_call", llm: null, llm_model: null })],
  ["a tool call carrying llm fields", () => row({ type: "tool_call" })],
];

describe("priceSpanInPlace", () => {
  it.each(CASES)("gives what priceSpan gives, keys in the same order: %s", (_name, make) => {
    const expected = priceSpan(make(), table);
    const span = make();
    const result = priceSpanInPlace(span, table);
    expect(result).toBe(span);
    expect(JSON.stringify(result)).toBe(JSON.stringify(expected));
    expect(result).toEqual(expected);
  });

  it("changes the span and its llm object themselves", () => {
    const span = row({});
    const llm = span.llm;
    priceSpanInPlace(span, table);
    expect(span.cost).toBeCloseTo((100 * 2.5 + 20 * 10) / 1e6, 12);
    expect(span.llm).toBe(llm);
    expect((llm as { price?: { model: string } }).price?.model).toBe("gpt-4o*");
  });
});

describe("priceSpan", () => {
  it.each(CASES)("leaves the span it was given unchanged: %s", (_name, make) => {
    const span = make();
    const before = JSON.stringify(span);
    priceSpan(span, table);
    expect(JSON.stringify(span)).toBe(before);
  });
});
