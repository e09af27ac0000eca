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

const LAST = { "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days" } as const;

/**
 * The range a card shows under its title: "Last 7 days", or a custom range's dates ("Jan 5 – Feb 3,
 * 2026") in the viewer's zone. A live feed has no range: it shows the latest events.
 */
export function rangeLabel(
  card: { type: string; query: { range: string; from?: string; to?: string } },
  opts: { timezone?: string; locale?: string } = {},
): string {
  if (card.type === "feed") return "Latest 20 events, live";
  const q = card.query;
  if (q.range !== "custom") return LAST[q.range as keyof typeof LAST] ?? LAST["7d"];
  const from = Date.parse(q.from ?? "");
  const to = Date.parse(q.to ?? "");
  if (!Number.isFinite(from) || !Number.isFinite(to)) return LAST["7d"];
  const day = new Intl.DateTimeFormat(opts.locale ?? "en-US", {
    month: "short",
    day: "numeric",
    year: "numeric",
    timeZone: opts.timezone,
  });
  return day.formatRange(from, to);
}
