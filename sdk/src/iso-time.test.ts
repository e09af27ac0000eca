import { describe, expect, it } from "vitest";
import { isoOf } from "./iso-time.ts";

describe("isoOf", () => {
  it("writes what toISOString writes, within a second, across second, day and year boundaries, and back in time", () => {
    const t0 = Date.parse("2025-12-31T23:59:58.990Z");
    const times = [
      ...Array.from({ length: 2100 }, (_, i) => t0 + i), // steps of 1 ms over two boundaries
      Date.parse("2026-01-15T10:30:00.000Z"),
      Date.parse("2026-01-15T10:30:00.007Z"),
      Date.parse("2026-01-15T10:29:59.999Z"), // a clock set back into the previous second
      Date.parse("2026-01-15T10:30:00.099Z"),
      0,
      -1,
      -999,
      -1000,
      -1001,
      Date.parse("1900-02-28T12:00:00.050Z"),
      Date.parse("+010000-01-01T00:00:00.000Z"),
      8.64e15,
      -8.64e15,
    ];
    for (const ms of times) expect(isoOf(ms)).toBe(new Date(ms).toISOString());
  });

  it("writes what toISOString writes for interleaved timelines, seconds that share a cache slot included", () => {
    const t0 = Date.parse("2026-01-15T10:30:00.000Z");
    // 16 timelines 137 s apart, stepping a few ms each in turn, plus seconds 64 apart (one slot).
    const lanes = Array.from({ length: 16 }, (_, k) => t0 + k * 137_000);
    for (let step = 0; step < 400; step++)
      for (let k = 0; k < lanes.length; k++) {
        lanes[k] += 1 + ((step * 7 + k * 13) % 29);
        expect(isoOf(lanes[k])).toBe(new Date(lanes[k]).toISOString());
        const sameSlot = t0 + 64_000 * (k + 1) + step;
        expect(isoOf(sameSlot)).toBe(new Date(sameSlot).toISOString());
      }
  });

  it("throws for a time out of Date's range, as toISOString does, even right after a valid one", () => {
    expect(isoOf(8.64e15)).toBe("+275760-09-13T00:00:00.000Z");
    expect(() => isoOf(8.64e15 + 1)).toThrow(RangeError);
    expect(() => isoOf(-8.64e15 - 1)).toThrow(RangeError);
  });
});
