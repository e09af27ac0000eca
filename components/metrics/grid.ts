import { type Layout, type LayoutItem, verticalCompactor } from "react-grid-layout";
import { firstFreePlace, GRID_COLS } from "@/lib/contracts/metrics";

/**
 * The grid by the width it has (px): 12 columns where a small card is wide enough for its title and
 * number, 6 on a tablet, 2 on a phone. Only the 12-column layout is saved and rearranged.
 */
export const BREAKPOINTS = { lg: 880, md: 480, sm: 0 } as const;
export const COLS = { lg: GRID_COLS, md: 6, sm: 2 } as const;

/**
 * A saved 12-column layout reflowed for fewer columns: cards in reading order (as the grid shows
 * them, compacted upwards), each as wide as it was in columns, at most the grid's width, in the
 * first free place. Clamping positions instead (react-grid-layout's default) leaves holes where
 * a card that no longer fits its column drops below. Pure.
 */
export function reflowLayout(layout: Layout, cols: number): LayoutItem[] {
  const shown = [...verticalCompactor.compact(layout, GRID_COLS)].sort((a, b) => a.y - b.y || a.x - b.x);
  const placed: LayoutItem[] = [];
  for (const item of shown) placed.push({ ...item, ...firstFreePlace(placed, { w: item.w, h: item.h }, cols) });
  return placed;
}

/** The layouts of every breakpoint: the saved one, and the narrower ones reflowed from it. */
export function responsiveLayouts(layout: Layout): Record<keyof typeof COLS, Layout> {
  return { lg: layout, md: reflowLayout(layout, COLS.md), sm: reflowLayout(layout, COLS.sm) };
}
