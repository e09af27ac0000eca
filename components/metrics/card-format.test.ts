import { describe, expect, it } from "vitest";
import type { Card } from "@/lib/contracts/metrics";
import {
  cardUnit,
  formatMetricValue,
  formatTick,
  propertyEntries,
  propertyUnit,
  seriesName,
  shortLabel,
  valueFontSize,
} from "./card-format";

const card = (type: Card["type"], query: Partial<Card["query"]>): Pick<Card, "type" | "query"> => ({
  type,
  query: { event: "order_placed", aggregation: "count", range: "7d", ...query },
});

describe("a card's unit", () => {
  it("is read from the property's name where it says one", () => {
    expect(propertyUnit("duration_ms")).toBe("ms");
    expect(propertyUnit("latencySeconds")).toBe("s");
    expect(propertyUnit("cost_usd")).toBe("USD");
    expect(propertyUnit("discount-pct")).toBe("%");
    expect(propertyUnit("totalTokens")).toBe("tokens");
  });

  it("is unknown for a name without one, even one ending in the same letters", () => {
    expect(propertyUnit("amount")).toBeNull();
    expect(propertyUnit("orders")).toBeNull();
    expect(propertyUnit("items")).toBeNull();
    expect(propertyUnit(undefined)).toBeNull();
  });

  it("is % for rates, events for counts, the property for distinct counts", () => {
    expect(cardUnit(card("rate", {}))).toBe("%");
    expect(cardUnit(card("number", {}))).toBe("events");
    expect(cardUnit(card("number", { aggregation: "distinct_count", property: "user_id" }))).toBe("distinct user_id");
    expect(cardUnit(card("line", { aggregation: "avg", property: "duration_ms" }))).toBe("ms");
    expect(cardUnit(card("line", { aggregation: "sum", property: "amount" }))).toBeNull();
    expect(cardUnit(card("feed", {}))).toBeNull();
  });
});

describe("values as cards show them", () => {
  it("names the series in words, not 'value'", () => {
    expect(seriesName(card("line", {}))).toBe("Count of order_placed");
    expect(seriesName(card("line", { aggregation: "sum", property: "amount" }))).toBe("Sum of amount");
    expect(seriesName(card("bar", { aggregation: "avg", property: "duration_ms" }))).toBe("Average of duration_ms");
    expect(seriesName(card("rate", { where: { property: "paid", equals: true } }))).toBe("Share with paid = true");
  });

  it("formats a value with its unit", () => {
    expect(formatMetricValue(75, "%")).toBe("75.0%");
    expect(formatMetricValue(1234.5, "USD")).toBe("$1,234.50");
    expect(formatMetricValue(1234.567, "ms")).toBe("1,234.57 ms");
    expect(formatMetricValue(1243.9, null)).toBe("1,243.9");
    expect(formatMetricValue(12, "events")).toBe("12");
    expect(formatMetricValue(null, "%")).toBe("–");
  });

  it("keeps axis ticks and category names short", () => {
    expect(formatTick(12.34)).toBe("12.3");
    expect(formatTick(1243.9)).toBe("1.2K");
    expect(formatTick(3_400_000)).toBe("3.4M");
    expect(shortLabel("electronics-and-more")).toBe("electronics…");
    expect(shortLabel("books")).toBe("books");
  });

  it("sizes the number down as it gets longer, within the card's box", () => {
    const size = (text: string) => Number(/min\(([\d.]+)cqi/.exec(valueFontSize(text))?.[1]);
    expect(size("1,243,567.89")).toBeLessThan(size("12"));
    // At that size the text's width (about 0.62 em a character) fits the container's inline size.
    for (const text of ["7", "75.0%", "1,243.9", "$1,234,567.89"])
      expect((size(text) / 100) * text.length * 0.62).toBeLessThan(1);
  });
});

describe("a live feed's properties", () => {
  it("are a list of keys and readable values, not JSON", () => {
    expect(
      propertyEntries({ amount: 1234.5, category: "books", answered: true, note: "", tags: ["a", "b"], missing: null }),
    ).toEqual([
      { key: "amount", value: "1,234.5" },
      { key: "category", value: "books" },
      { key: "answered", value: "true" },
      { key: "note", value: '""' },
      { key: "tags", value: '["a","b"]' },
      { key: "missing", value: "–" },
    ]);
  });

  it("cuts a long nested value", () => {
    const [entry] = propertyEntries({ payload: { text: "x".repeat(500) } });
    expect(entry.value).toHaveLength(120);
    expect(entry.value.endsWith("…")).toBe(true);
  });
});

describe("built-in measures", () => {
  const card = (query: Partial<Card["query"]>): Pick<Card, "type" | "query"> => ({
    type: "number",
    query: { aggregation: "count", range: "7d", ...query } as Card["query"],
  });
  it("name their series and units", () => {
    const p95 = card({ event: "$executions", aggregation: "p95", property: "durationMs" });
    expect(seriesName(p95)).toBe("p95 of Executions duration");
    expect(cardUnit(p95)).toBe("ms");
    expect(formatMetricValue(1234.5, cardUnit(p95))).toBe("1,234.5 ms");
    const cost = card({ event: "$executions", aggregation: "sum", property: "cost" });
    expect(cardUnit(cost)).toBe("USD");
    expect(seriesName(card({ event: "$llm_calls" }))).toBe("Count of LLM calls");
  });
});
