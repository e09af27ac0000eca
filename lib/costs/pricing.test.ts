import { describe, expect, it } from "vitest";
import type { ModelPrice } from "../contracts/models.ts";
import { DEFAULT_MODEL_PRICES } from "./default-prices.ts";
import { callCost, compilePriceTable, globMatches } from "./pricing.ts";

const price = (model: string, input: number, output: number, extra: Partial<ModelPrice> = {}): ModelPrice => ({
  model,
  input,
  output,
  ...extra,
});

describe("price table", () => {
  const table = compilePriceTable([
    price("gpt-4o*", 2.5, 10, { cachedInput: 1.25 }),
    price("gpt-4o-mini*", 0.15, 0.6),
    price("gpt-4o-2024-05-13", 5, 15),
    price("o3*", 10, 40),
    price("o3*", 2, 8, { startsAt: "2025-06-10" }),
  ]);
  const at = "2026-01-01T00:00:00.000Z";

  it("an exact name beats a pattern, and a longer pattern beats a shorter one", () => {
    expect(table.priceFor("gpt-4o-2024-05-13", at)?.input).toBe(5);
    expect(table.priceFor("gpt-4o-mini-2024-07-18", at)?.input).toBe(0.15);
    expect(table.priceFor("gpt-4o-2024-08-06", at)?.input).toBe(2.5);
  });

  it("matches case-insensitively and on the name after a provider prefix", () => {
    expect(table.priceFor("GPT-4o", at)?.model).toBe("gpt-4o*");
    expect(table.priceFor("openai/gpt-4o-mini", at)?.model).toBe("gpt-4o-mini*");
  });

  it("a price dated after the call does not apply; the one before it does", () => {
    expect(table.priceFor("o3-2025-04-16", "2025-06-09T23:59:59.000Z")?.input).toBe(10);
    expect(table.priceFor("o3-2025-04-16", "2025-06-10T00:00:00.000Z")?.input).toBe(2);
    const onlyLater = compilePriceTable([price("new-model", 1, 1, { startsAt: "2026-03-01" })]);
    expect(onlyLater.priceFor("new-model", "2026-02-28T12:00:00.000Z")).toBeNull();
  });

  it("an unknown model has no price", () => {
    expect(table.priceFor("my-finetune", at)).toBeNull();
  });

  it("the built-in table prices the common models", () => {
    const builtIn = compilePriceTable(DEFAULT_MODEL_PRICES);
    for (const model of [
      "gpt-4o-mini",
      "gpt-4.1-2025-04-14",
      "claude-3-5-sonnet-20241022",
      "claude-sonnet-4-5",
      "gemini-2.5-flash",
      "models/gemini-2.0-flash",
      "mistral-large-latest",
      "deepseek-chat",
      "text-embedding-3-small",
    ])
      expect(builtIn.priceFor(model, at), model).not.toBeNull();
    expect(builtIn.priceFor("gpt-4.1-mini", at)?.input).toBe(0.4);
    expect(builtIn.priceFor("claude-opus-4-5-20251101", at)?.input).toBe(5);
  });
});

describe("call cost", () => {
  const p = { model: "m", startsAt: null, input: 2, output: 8, cachedInput: 0.5, reasoning: null };

  it("prices input and output per million tokens", () => {
    expect(callCost({ input: 1_000_000, output: 500_000 }, p)).toBeCloseTo(2 + 4, 10);
    expect(callCost({ input: 1200, output: 300 }, p)).toBeCloseTo((1200 * 2 + 300 * 8) / 1e6, 12);
  });

  it("cached input tokens are part of the input and pay the cached price", () => {
    expect(callCost({ input: 1000, output: 0, cachedInput: 400 }, p)).toBeCloseTo((600 * 2 + 400 * 0.5) / 1e6, 12);
  });

  it("reasoning tokens are part of the output and pay the reasoning price, else the output price", () => {
    expect(callCost({ input: 0, output: 1000, reasoning: 600 }, p)).toBeCloseTo((1000 * 8) / 1e6, 12);
    expect(callCost({ input: 0, output: 1000, reasoning: 600 }, { ...p, reasoning: 1 })).toBeCloseTo(
      (400 * 8 + 600 * 1) / 1e6,
      12,
    );
  });

  it("a call without token counts has no cost", () => {
    expect(callCost({ input: null, output: null }, p)).toBeNull();
  });
});

describe("glob", () => {
  it("* matches any run of characters", () => {
    expect(globMatches("gpt-4o*", "gpt-4o")).toBe(true);
    expect(globMatches("gpt-4o*", "gpt-4o-mini")).toBe(true);
    expect(globMatches("*sonnet*", "anthropic.claude-3-5-sonnet-20241022-v2:0")).toBe(true);
    expect(globMatches("gpt-4o", "gpt-4o-mini")).toBe(false);
    expect(globMatches("a*b*c", "axxbyyc")).toBe(true);
    expect(globMatches("a*b*c", "axxbyy")).toBe(false);
  });

  it("a pattern of many stars against a long name finishes (no exponential backtracking)", () => {
    const pattern = `${"a*".repeat(60)}b`;
    expect(globMatches(pattern, "a".repeat(256))).toBe(false);
  });
});
