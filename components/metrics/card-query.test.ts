import { describe, expect, it } from "vitest";
import { ZMetricQuery } from "@/lib/contracts/metrics";
import { type CardDraft, cardQuery } from "./card-query";

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
