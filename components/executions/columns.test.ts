import { describe, expect, it } from "vitest";
import { defaultColumns, parseChosenColumns, toggleColumn, visibleColumns } from "./columns";

describe("the executions table's columns", () => {
  it("always shows status, name, start and duration, even on a phone", () => {
    expect(visibleColumns(null, 340)).toEqual(["started", "name", "status", "duration"]);
    expect(visibleColumns([], 1400)).toEqual(["started", "name", "status", "duration"]);
  });

  it("by default shows more columns the wider the table", () => {
    expect(defaultColumns(1200)).toEqual(["agent", "tokens", "cost", "thread", "source"]);
    expect(defaultColumns(900)).toEqual(["agent", "tokens", "cost"]);
    expect(defaultColumns(700)).toEqual(["agent"]);
    expect(defaultColumns(500)).toEqual([]);
    expect(visibleColumns(null, 900)).toEqual(["started", "agent", "name", "status", "duration", "tokens", "cost"]);
  });

  it("a saved choice wins over the width, in table order", () => {
    expect(visibleColumns(["source", "agent"], 340)).toEqual([
      "started",
      "agent",
      "name",
      "status",
      "duration",
      "source",
    ]);
  });

  it("reads a saved choice, dropping what it does not know, and nothing from a broken one", () => {
    expect(parseChosenColumns('["cost","status","nope"]')).toEqual(["cost"]);
    expect(parseChosenColumns("[]")).toEqual([]);
    expect(parseChosenColumns(null)).toBeNull();
    expect(parseChosenColumns("{")).toBeNull();
    expect(parseChosenColumns('{"cost":true}')).toBeNull();
  });

  it("ticking a column adds it to what is shown, unticking removes it", () => {
    const shown = visibleColumns(null, 700); // essentials + agent
    expect(toggleColumn(shown, "cost")).toEqual(["agent", "cost"]);
    expect(toggleColumn(shown, "agent")).toEqual([]);
  });
});
