import { describe, expect, it } from "vitest";
import { reflowLayout, responsiveLayouts } from "./grid";

const at = (i: string, x: number, y: number, w: number, h: number) => ({ i, x, y, w, h });
const places = (layout: { i: string; x: number; y: number; w: number; h: number }[]) =>
  Object.fromEntries(layout.map(({ i, x, y, w, h }) => [i, { x, y, w, h }]));

describe("the grid at fewer columns", () => {
  // Three small tiles on the first row, then two half-width charts.
  const saved = [
    at("orders", 0, 0, 3, 3),
    at("paid", 3, 0, 3, 3),
    at("revenue", 6, 0, 3, 3),
    at("line", 0, 3, 6, 5),
    at("bar", 6, 3, 6, 5),
  ];

  it("on a tablet (6 columns) tiles keep their columns, two a row, in reading order with no hole", () => {
    expect(places(reflowLayout(saved, 6))).toEqual({
      orders: { x: 0, y: 0, w: 3, h: 3 },
      paid: { x: 3, y: 0, w: 3, h: 3 },
      revenue: { x: 0, y: 3, w: 3, h: 3 },
      line: { x: 0, y: 6, w: 6, h: 5 },
      bar: { x: 0, y: 11, w: 6, h: 5 },
    });
  });

  it("on a phone (2 columns) every card is the full width, one under the other", () => {
    const phone = reflowLayout(saved, 2);
    expect(phone.map((c) => c.i)).toEqual(["orders", "paid", "revenue", "line", "bar"]);
    expect(phone.every((c) => c.x === 0 && c.w === 2)).toBe(true);
    expect(phone.map((c) => c.y)).toEqual([0, 3, 6, 9, 14]);
  });

  it("reads the layout as the grid shows it: a card stored below a gap comes up first", () => {
    const layout = [at("low", 0, 9, 3, 3), at("top", 6, 0, 3, 3)];
    expect(reflowLayout(layout, 6).map((c) => c.i)).toEqual(["low", "top"]);
  });

  it("the widest layout is the saved one, untouched", () => {
    expect(responsiveLayouts(saved).lg).toBe(saved);
  });
});
