import { describe, expect, it } from "vitest";
import { filtersToApiQuery, filtersToSearch, parseFilters, sortState, toggleSort } from "./filters";

describe("executions list filters in the URL", () => {
  it("round-trip through the query string", () => {
    const f = parseFilters(new URLSearchParams("status=error&q=refund&agent=billing&junk=1&range=24h"));
    expect(f).toEqual({ status: "error", q: "refund", agent: "billing", range: "24h" });
    expect(parseFilters(new URLSearchParams(filtersToSearch(f)))).toEqual(f);
  });
  it("turn a preset into a from timestamp and keep custom bounds", () => {
    const now = Date.parse("2026-05-01T12:00:00Z");
    expect(filtersToApiQuery({ range: "1h", status: "error" }, now).toString()).toBe(
      "status=error&from=2026-05-01T11%3A00%3A00.000Z",
    );
    const custom = filtersToApiQuery(
      { range: "custom", from: "2026-04-01T00:00:00Z", to: "2026-04-02T00:00:00Z" },
      now,
    );
    expect(custom.get("from")).toBe("2026-04-01T00:00:00.000Z");
    expect(custom.get("to")).toBe("2026-04-02T00:00:00.000Z");
  });
  it("keep sort and ranges in the URL and pass them to the API", () => {
    const f = parseFilters(new URLSearchParams("sort=cost&order=asc&minCost=0.5&maxDurationMs=2000"));
    expect(f).toEqual({ sort: "cost", order: "asc", minCost: "0.5", maxDurationMs: "2000" });
    expect(filtersToApiQuery(f).toString()).toBe("sort=cost&order=asc&maxDurationMs=2000&minCost=0.5");
  });
  it("sort by a header: largest first, then flipped, and start time is the default", () => {
    const byCost = toggleSort({ status: "error" }, "cost");
    expect(byCost).toEqual({ status: "error", sort: "cost", order: undefined });
    expect(sortState(byCost, "cost")).toBe("descending");
    const flipped = toggleSort(byCost, "cost");
    expect(sortState(flipped, "cost")).toBe("ascending");
    expect(sortState(flipped, "startedAt")).toBe("none");
    expect(sortState({}, "startedAt")).toBe("descending");
    expect(toggleSort(flipped, "startedAt")).toEqual({ status: "error", sort: undefined, order: undefined });
  });
});
