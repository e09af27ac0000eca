import { describe, expect, it } from "vitest";
import { formatCost, formatDuration, formatNumber } from "./format";

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
