import { describe, expect, it } from "vitest";
import { cardGap, ZMetricQuery } from "@/lib/contracts/metrics";
import { type CardDraft, cardQuery, saveProblem } from "./card-query";

const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const card = (type: CardDraft["type"], query: Partial<CardDraft["query"]>): CardDraft =>
  ({
    agent: "shop",
    type,
    color: null,
    query: { event: "order_placed", aggregation: "count", range: "7d", ...query },
  }) as CardDraft;

describe("a card's metric query", () => {
  it("a line counts by day over its range in the viewer's zone, and the API accepts it", () => {
    const { body } = cardQuery(card("line", {}), { now: NOW, timezone: "America/Sao_Paulo" });
    expect(body).toMatchObject({
      agent: "shop",
      event: "order_placed",
      aggregation: "count",
      interval: "day",
      from: "2026-05-25T12:00:00.000Z",
      timezone: "America/Sao_Paulo",
    });
    expect(ZMetricQuery.safeParse(body).success).toBe(true);
  });

  it("a rate card counts a rate; a pie slices by its property, top 8", () => {
    expect(
      cardQuery(card("rate", { where: { property: "paid", equals: true } }), { now: NOW, timezone: "UTC" }).body,
    ).toMatchObject({ aggregation: "rate", where: { property: "paid", equals: true } });
    const pie = cardQuery(card("pie", { groupBy: "country" }), { now: NOW, timezone: "UTC" }).body;
    expect(pie).toMatchObject({ groupBy: "country", top: 8 });
    expect(pie).not.toHaveProperty("interval");
  });

  it("says what an incomplete card lacks instead of a query", () => {
    const o = { now: NOW, timezone: "UTC" };
    expect(cardQuery(card("number", { event: "" }), o).missing).toBe("Pick an event.");
    expect(cardQuery(card("number", { aggregation: "sum" }), o).missing).toBe("Pick a property.");
    expect(cardQuery(card("rate", {}), o).missing).toBe("Pick the property and value to count.");
    expect(cardQuery(card("pie", {}), o).missing).toBe("Pick the property to slice by.");
  });
});

describe("what a card lacks, by the cards API's own rule", () => {
  const o = { now: NOW, timezone: "UTC" };

  it("a distinct count, an average and a bar summing need their property; a sum with one runs", () => {
    expect(cardQuery(card("number", { aggregation: "distinct_count" }), o).missing).toBe("Pick a property.");
    expect(cardQuery(card("line", { aggregation: "avg" }), o).missing).toBe("Pick a property.");
    expect(cardQuery(card("bar", { aggregation: "sum", groupBy: "country" }), o).missing).toBe("Pick a property.");
    expect(cardQuery(card("number", { aggregation: "sum", property: "amount" }), o).missing).toBeNull();
  });

  it("a rate needs the property to count even when its aggregation says otherwise; a live feed needs nothing", () => {
    expect(cardQuery(card("rate", { aggregation: "count" }), o).missing).toBe("Pick the property and value to count.");
    expect(cardGap("feed", { range: "7d" })).toBeNull();
  });

  it("names the field the API answers 400 on", () => {
    expect(cardGap("pie", { event: "order_placed" })?.path).toBe("query.groupBy");
    expect(cardGap("number", { event: "order_placed", aggregation: "sum" })?.path).toBe("query.property");
    expect(cardGap("rate", { event: "order_placed" })?.path).toBe("query.where");
    expect(cardGap("line", {})?.path).toBe("query.event");
  });
});

describe("the builder's save", () => {
  const draft = (type: CardDraft["type"], query: Partial<CardDraft["query"]>) => ({
    agent: "shop",
    title: "Revenue",
    type,
    query: { event: "order_placed", aggregation: "count" as const, range: "7d" as const, ...query },
  });

  it("is refused with the missing field's words, as the API refuses it", () => {
    expect(saveProblem(draft("line", { aggregation: "sum" }))).toBe("Pick a property.");
    expect(saveProblem(draft("pie", {}))).toBe("Pick the property to slice by.");
    expect(saveProblem(draft("rate", {}))).toBe("Pick the property and value to count.");
  });

  it("names a field the schema refuses, such as a custom range without its end", () => {
    expect(saveProblem(draft("number", { range: "custom", from: "2026-05-01T00:00:00.000Z" }))).toBe(
      'To: Required with range "custom".',
    );
    expect(saveProblem({ ...draft("number", {}), title: "x".repeat(121) })).toMatch(/^Title: /);
  });

  it("is allowed for a card that renders", () => {
    expect(saveProblem(draft("line", { aggregation: "sum", property: "amount" }))).toBeNull();
    expect(saveProblem(draft("pie", { groupBy: "country" }))).toBeNull();
    expect(saveProblem({ agent: "shop", title: "Feed", type: "feed", query: { range: "7d" } })).toBeNull();
  });
});
