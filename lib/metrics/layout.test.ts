import { describe, expect, it } from "vitest";
import { firstFreePlace } from "../contracts/metrics";
import { cardSize, newCardPlace } from "./layout";

describe("a new card's place on the grid", () => {
  it("the first card goes to the top left; the next beside it, on the same row", () => {
    expect(newCardPlace([], "number")).toEqual({ x: 0, y: 0, w: 3, h: 3 });
    expect(newCardPlace([{ x: 0, y: 0, w: 3, h: 3 }], "line")).toEqual({ x: 3, y: 0, w: 6, h: 5 });
  });

  it("a row is filled before the next one starts", () => {
    const cards = [
      { x: 0, y: 0, w: 3, h: 3 },
      { x: 3, y: 0, w: 3, h: 3 },
      { x: 6, y: 0, w: 3, h: 3 },
    ];
    expect(newCardPlace(cards, "rate")).toEqual({ x: 9, y: 0, w: 3, h: 3 });
    expect(newCardPlace([...cards, { x: 9, y: 0, w: 3, h: 3 }], "rate")).toEqual({ x: 0, y: 3, w: 3, h: 3 });
  });

  it("a card too wide for what is left of a row goes below, into the first gap that fits it", () => {
    const cards = [
      { x: 0, y: 0, w: 6, h: 5 },
      { x: 6, y: 0, w: 3, h: 3 },
    ];
    // x 9-12 is free at the top but only 3 wide; under the small card there is a 6-wide gap.
    expect(newCardPlace(cards, "pie")).toEqual({ x: 6, y: 3, w: 6, h: 5 });
  });

  it("a gap the grid closes by compacting upwards is not taken for free space below", () => {
    // Stored below an empty band, the card is shown at the top: the new one goes beside it.
    expect(newCardPlace([{ x: 0, y: 8, w: 3, h: 3 }], "number")).toEqual({ x: 3, y: 0, w: 3, h: 3 });
  });

  it("never wider than the grid; below everything when no row has room", () => {
    expect(firstFreePlace([], { w: 20, h: 4 }, 12)).toEqual({ x: 0, y: 0, w: 12, h: 4 });
    expect(firstFreePlace([{ x: 0, y: 0, w: 12, h: 2 }], cardSize("feed"))).toEqual({ x: 0, y: 2, w: 6, h: 5 });
  });
});
