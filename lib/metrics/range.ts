/** A card's relative range as absolute bounds (pure; the card resolves it at query time). */
const WINDOWS = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000, "90d": 90 * 86_400_000 } as const;

export function resolveRange(
  range: string,
  custom: { from?: string; to?: string },
  now = Date.now(),
): { from: string; to: string } {
  if (range === "custom" && custom.from && custom.to)
    return { from: new Date(custom.from).toISOString(), to: new Date(custom.to).toISOString() };
  const window = WINDOWS[range as keyof typeof WINDOWS] ?? WINDOWS["7d"];
  return { from: new Date(now - window).toISOString(), to: new Date(now + 1).toISOString() };
}
