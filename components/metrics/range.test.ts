import { describe, expect, it } from "vitest";
import { rangeLabel, resolveRange } from "./range";

describe("a card's range", () => {
  it("reads as the window it covers", () => {
    expect(rangeLabel({ type: "number", query: { range: "24h" } })).toBe("Last 24 hours");
    expect(rangeLabel({ type: "line", query: { range: "7d" } })).toBe("Last 7 days");
    expect(rangeLabel({ type: "pie", query: { range: "90d" } })).toBe("Last 90 days");
  });

  it("a custom range shows its dates in the viewer's zone", () => {
    // Intl puts thin spaces around the dash.
    const label = (q: { range: string; from: string; to: string }, timezone: string) =>
      rangeLabel({ type: "bar", query: q }, { timezone }).replace(/\s/g, " ");
    const query = { range: "custom", from: "2026-01-05T12:00:00.000Z", to: "2026-02-03T12:00:00.000Z" };
    expect(label(query, "UTC")).toBe("Jan 5 – Feb 3, 2026");
    const lateUtc = { range: "custom", from: "2026-01-05T02:00:00.000Z", to: "2026-01-06T02:00:00.000Z" };
    expect(label(lateUtc, "America/Sao_Paulo")).toBe("Jan 4 – 5, 2026");
  });

  it("a custom range that is not a date range reads, and resolves, as the default window", () => {
    const query = { range: "custom", from: "soon" };
    expect(rangeLabel({ type: "number", query })).toBe("Last 7 days");
    const now = Date.parse("2026-06-01T00:00:00.000Z");
    expect(resolveRange("custom", query, now).from).toBe("2026-05-25T00:00:00.000Z");
  });

  it("a live feed shows the latest events instead", () => {
    expect(rangeLabel({ type: "feed", query: { range: "7d" } })).toBe("Latest 20 events, live");
  });
});
