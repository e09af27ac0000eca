import { TIME_PRESETS } from "../executions/filters";

export const RANGES = [
  { key: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { key: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { key: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
  { key: "90d", label: "Last 90 days", ms: 90 * 86_400_000 },
] as const;
export type RangeKey = (typeof RANGES)[number]["key"];

/** The instants a range covers, ending now (to is exclusive, so one millisecond past now). */
export function rangeBounds(range: RangeKey, now = Date.now()): { from: string; to: string } {
  const ms = RANGES.find((r) => r.key === range)?.ms ?? RANGES[1].ms;
  return { from: new Date(now - ms).toISOString(), to: new Date(now + 1).toISOString() };
}

/**
 * The executions list's URL for what an overview tile shows: the same range (a preset the list
 * knows, else custom bounds), the same agent, and the tile's own filters or sort.
 */
export function overviewSearch(
  f: { range: RangeKey; agent?: string } & Record<string, string | undefined>,
  now = Date.now(),
): string {
  const { range, ...rest } = f;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(rest)) if (v) qs.set(k, v);
  if (range in TIME_PRESETS) qs.set("range", range);
  else {
    const { from, to } = rangeBounds(range, now);
    qs.set("range", "custom");
    qs.set("from", from);
    qs.set("to", to);
  }
  return qs.toString();
}
