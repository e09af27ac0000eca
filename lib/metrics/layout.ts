import { collides, type LayoutItem, verticalCompactor } from "react-grid-layout/core";

/** The Metrics grid's columns at its widest (the layout a tab saves; narrower widths derive from it). */
export const GRID_COLS = 12;

export type Place = { x: number; y: number; w: number; h: number };

/** A new card's size by type: numbers and rates are small tiles, charts and feeds half the grid. */
export function cardSize(type: string): { w: number; h: number } {
  return type === "number" || type === "rate" ? { w: 3, h: 3 } : { w: 6, h: 5 };
}

/**
 * The first free place for a card of `size` on a grid holding `cards`, row by row from the top
 * left, as the grid shows them: compacted upwards the way react-grid-layout's vertical compactor
 * does in the browser, so a gap the viewer sees is a gap filled. Pure.
 */
export function firstFreePlace(cards: Place[], size: { w: number; h: number }, cols = GRID_COLS): Place {
  const w = Math.min(size.w, cols);
  const shown = verticalCompactor.compact(
    cards.map((c, i) => ({ i: String(i), ...c })),
    cols,
  );
  const bottom = shown.reduce((max, c) => Math.max(max, c.y + c.h), 0);
  for (let y = 0; y <= bottom; y++) {
    for (let x = 0; x + w <= cols; x++) {
      const candidate: LayoutItem = { i: "new", x, y, w, h: size.h };
      if (!shown.some((c) => collides(c, candidate))) return { x, y, w, h: size.h };
    }
  }
  return { x: 0, y: bottom, w, h: size.h };
}
