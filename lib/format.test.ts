import { describe, expect, it } from "vitest";
import { formatCost, formatDuration, formatElapsed, formatNumber, formatShortDateTime, plural } from "./format";

describe("formatDuration", () => {
  it("reads naturally from milliseconds to hours", () => {
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(12)).toBe("12 ms");
    expect(formatDuration(1534)).toBe("1.53 s");
    expect(formatDuration(42_000)).toBe("42.0 s");
    expect(formatDuration(125_000)).toBe("2m 5s");
    expect(formatDuration(3_900_000)).toBe("1h 5m");
  });
  it("groups thousands", () => expect(formatNumber(1234567)).toBe("1,234,567"));
});

describe("formatShortDateTime", () => {
  const now = new Date(2026, 11, 6, 15, 0, 0);
  it("gives today's runs their time, this year's their day and minute, older ones their date", () => {
    expect(formatShortDateTime(new Date(2026, 11, 6, 10, 4, 12).toISOString(), now)).toBe(
      new Date(2026, 11, 6, 10, 4, 12).toLocaleTimeString(undefined, { timeStyle: "medium" }),
    );
    const thisYear = formatShortDateTime(new Date(2026, 2, 3, 9, 15).toISOString(), now);
    expect(thisYear).toMatch(/3/);
    expect(thisYear).not.toMatch(/2026/);
    expect(formatShortDateTime(new Date(2025, 2, 3, 9, 15).toISOString(), now)).toMatch(/2025/);
    expect(formatShortDateTime(null, now)).toBe("–");
  });
});

describe("formatCost", () => {
  it("shows cents from a cent up and significant digits below", () => {
    expect(formatCost(null)).toBe("–");
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(1234.5)).toBe("$1,234.50");
    expect(formatCost(0.01)).toBe("$0.01");
    expect(formatCost(0.00042)).toBe("$0.00042");
    expect(formatCost(0.0042)).toBe("$0.0042");
    expect(formatCost(1e-7)).toBe("$0.0000001");
  });
});

describe("plural", () => {
  it("says one thing in the singular and any other count in the plural", () => {
    expect(plural(1, "execution")).toBe("1 execution");
    expect(plural(0, "execution")).toBe("0 executions");
    expect(plural(2048, "message")).toBe("2,048 messages");
    expect(plural(2, "reply", "replies")).toBe("2 replies");
  });
});

describe("formatElapsed", () => {
  it("says a length of time in its largest sensible unit", () => {
    expect(formatElapsed(null)).toBe("–");
    expect(formatElapsed(400)).toBe("0 s");
    expect(formatElapsed(45_000)).toBe("45 s");
    expect(formatElapsed(0.03 * 3_600_000)).toBe("2 min");
    expect(formatElapsed(2 * 60_000)).toBe("2 min");
    expect(formatElapsed(125_000)).toBe("2 min");
    expect(formatElapsed(42 * 60_000)).toBe("42 min");
    expect(formatElapsed(3 * 3_600_000)).toBe("3 h");
    expect(formatElapsed(1.5 * 3_600_000)).toBe("1.5 h");
    expect(formatElapsed(4 * 86_400_000)).toBe("4 d");
  });
  it("rounds up into the next unit rather than showing 60 min or 24 h", () => {
    expect(formatElapsed(59.7 * 60_000)).toBe("1 h");
    expect(formatElapsed(23.8 * 3_600_000)).toBe("1 d");
    expect(formatElapsed(59.6 * 1000)).toBe("1 min");
  });
});
