import { describe, expect, it } from "vitest";
import { CARD_BACKGROUND, CARD_COLORS, contrastRatio, readableColor } from "./colors";

describe("a card's colour as text", () => {
  it("the indigo number on a dark card, 2.8:1 as picked, reads at 4.5:1 or more", () => {
    expect(contrastRatio("#4f46e5", CARD_BACKGROUND.dark)).toBeLessThan(3);
    const shown = readableColor("#4f46e5", CARD_BACKGROUND.dark);
    expect(contrastRatio(shown, CARD_BACKGROUND.dark)).toBeGreaterThanOrEqual(4.5);
    expect(shown).not.toBe("#ffffff");
  });

  it("every colour of the builder reads at 4.5:1 on a card in both themes", () => {
    for (const color of CARD_COLORS)
      for (const bg of Object.values(CARD_BACKGROUND))
        expect(contrastRatio(readableColor(color, bg), bg)).toBeGreaterThanOrEqual(4.5);
  });

  it("a colour that is legible already is kept as picked", () => {
    expect(readableColor("#4f46e5", CARD_BACKGROUND.light)).toBe("#4f46e5");
  });

  it("contrast is WCAG's: black on white is 21:1, a colour on itself 1:1", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#0ea5e9", "#0ea5e9")).toBe(1);
  });
});
