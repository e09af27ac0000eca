/** The colours a card picks from; the first is the default. */
export const CARD_COLORS = ["#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6"] as const;
/** Slices of a pie, in order (the last one, grey, is the "other" slice's when there are nine). */
export const SLICE_COLORS = [
  "#4f46e5",
  "#0ea5e9",
  "#10b981",
  "#f59e0b",
  "#ef4444",
  "#8b5cf6",
  "#ec4899",
  "#14b8a6",
  "#a1a1aa",
];
/** A card's background in each theme (components/ui/card.tsx: white, zinc-900). */
export const CARD_BACKGROUND = { light: "#ffffff", dark: "#18181b" } as const;
/** WCAG AA for normal text, with a little margin for the browser's colour rounding. */
const TEXT_CONTRAST = 4.6;

type Rgb = [number, number, number];

function parseHex(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) return [79, 70, 229];
  const n = Number.parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours (1 to 21). */
export function contrastRatio(a: string | Rgb, b: string | Rgb): number {
  const la = luminance(typeof a === "string" ? parseHex(a) : a);
  const lb = luminance(typeof b === "string" ? parseHex(b) : b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * The card's colour as text on `background`: the colour itself when it is legible there, else
 * mixed towards white (on a dark background) or black (on a light one) until it reads at 4.5:1.
 * The indigo default on a dark card (2.8:1) becomes a light indigo.
 */
export function readableColor(color: string, background: string): string {
  const rgb = parseHex(color);
  const target: Rgb = luminance(parseHex(background)) < 0.5 ? [255, 255, 255] : [0, 0, 0];
  for (let step = 0; step <= 20; step++) {
    const t = step / 20;
    const mixed = rgb.map((c, i) => c + (target[i] - c) * t) as Rgb;
    if (contrastRatio(mixed, background) >= TEXT_CONTRAST) return toHex(mixed);
  }
  return toHex(target);
}
