import { describe, expect, it } from "vitest";
import { parseFilters } from "../executions/filters";
import { overviewSearch, rangeBounds } from "./overview-range";

const NOW = Date.parse("2026-06-10T12:00:00.000Z");

describe("overview ranges", () => {
  it("end now and go back the range's length", () => {
    expect(rangeBounds("7d", NOW)).toEqual({ from: "2026-06-03T12:00:00.000Z", to: "2026-06-10T12:00:00.001Z" });
  });

  it("link into the executions list with the same range, agent and the tile's filters", () => {
    const qs = overviewSearch({ range: "24h", agent: "support", status: "error", errorMessage: "card declined" }, NOW);
    expect(parseFilters(new URLSearchParams(qs))).toEqual({
      range: "24h",
      agent: "support",
      status: "error",
      errorMessage: "card declined",
    });
    // The list has no 90-day preset: the bounds go as a custom range.
    expect(parseFilters(new URLSearchParams(overviewSearch({ range: "90d", sort: "cost" }, NOW)))).toEqual({
      range: "custom",
      from: "2026-03-12T12:00:00.000Z",
      to: "2026-06-10T12:00:00.001Z",
      sort: "cost",
    });
  });
});
