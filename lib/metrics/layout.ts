import { verticalCompactor } from "react-grid-layout/core";
import { firstFreePlace, GRID_COLS, type GridPlace } from "../contracts/metrics.ts";

/** A new card's size by type: numbers and rates are small tiles, charts and feeds half the grid. */
export function cardSize(type: string): { w: number; h: number } {
  return type === "number" || type === "rate" ? { w: 3, h: 3 } : { w: 6, h: 5 };
}

/**
 * Where a new card of `type` goes on a tab holding `cards`: the first free place, row by row, of the
 * grid as the browser shows it, compacted upwards by react-grid-layout's own vertical compactor, so
 * a gap the viewer sees is a gap filled. Pure.
 */
export function newCardPlace(cards: GridPlace[], type: string): GridPlace {
  const shown = verticalCompactor.compact(
    cards.map((c, i) => ({ i: String(i), ...c })),
    GRID_COLS,
  );
  return firstFreePlace(shown, cardSize(type));
}
