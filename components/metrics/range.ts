/** A card's relative range as absolute bounds (pure; the card resolves it at query time). */
const WINDOWS = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000, "90d": 90 * 86_400_000 } as const;

export function resolveRange(
  range: string,
  custom: { from?: string; to?: string },
  now = Date.now(),
): { from: string; to: string } {
  // A custom range is checked when the card is saved (ZCardQuery); one saved before that check and
  // not a date range shows the default window rather than failing the card.
  const from = Date.parse(custom.from ?? "");
  const to = Date.parse(custom.to ?? "");
  if (range === "custom" && Number.isFinite(from) && Number.isFinite(to))
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  const window = WINDOWS[range as keyof typeof WINDOWS] ?? WINDOWS["7d"];
  return { from: new Date(now - window).toISOString(), to: new Date(now + 1).toISOString() };
}
