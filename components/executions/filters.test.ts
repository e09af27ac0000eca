import { describe, expect, it } from "vitest";
import { filtersToApiQuery, filtersToSearch, parseFilters } from "./filters";

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
});
