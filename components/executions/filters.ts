/** The executions list's filters as kept in the page URL (pure: parse and serialise). */

export const TIME_PRESETS = {
  "15m": 15 * 60_000,
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
} as const;
export type TimePreset = keyof typeof TIME_PRESETS;

export type ListFilters = {
  agent?: string;
  status?: string;
  range?: TimePreset | "custom";
  from?: string;
  to?: string;
  threadId?: string;
  sessionId?: string;
  companyId?: string;
  source?: string;
  q?: string;
  /** The overview's top errors link here: executions failing with this message. */
  errorMessage?: string;
  /** duration, cost or tokens (absent: start time); order asc or desc (absent: desc). */
  sort?: string;
  order?: string;
  minDurationMs?: string;
  maxDurationMs?: string;
  minCost?: string;
  maxCost?: string;
};

/** Passed to the API as they are. */
const API_KEYS = [
  "agent",
  "status",
  "threadId",
  "sessionId",
  "companyId",
  "source",
  "q",
  "errorMessage",
  "sort",
  "order",
  "minDurationMs",
  "maxDurationMs",
  "minCost",
  "maxCost",
] as const;
const KEYS = [...API_KEYS, "range", "from", "to"] as const;

export function parseFilters(params: URLSearchParams): ListFilters {
  const out: ListFilters = {};
  for (const k of KEYS) {
    const v = params.get(k);
    if (v) (out as Record<string, string>)[k] = v;
  }
  return out;
}

export function filtersToSearch(f: ListFilters): string {
  const p = new URLSearchParams();
  for (const k of KEYS) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  return p.toString();
}

/** Query string for the executions API: presets become from=now-window. */
export function filtersToApiQuery(f: ListFilters, now = Date.now()): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of API_KEYS) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  if (f.range && f.range !== "custom" && f.range in TIME_PRESETS)
    p.set("from", new Date(now - TIME_PRESETS[f.range]).toISOString());
  if (f.range === "custom") {
    if (f.from) p.set("from", new Date(f.from).toISOString());
    if (f.to) p.set("to", new Date(f.to).toISOString());
  }
  return p;
}

export type SortKey = "startedAt" | "duration" | "cost" | "tokens";

/** The sort a column header shows: whether the list is sorted by it, and which way. */
export function sortState(f: ListFilters, key: SortKey): "ascending" | "descending" | "none" {
  const sorted = (f.sort ?? "startedAt") === key;
  if (!sorted) return "none";
  return f.order === "asc" ? "ascending" : "descending";
}

/** Filters after a click on a sortable header: largest (newest) first, a second click flips. */
export function toggleSort(f: ListFilters, key: SortKey): ListFilters {
  const order = sortState(f, key) === "descending" ? "asc" : undefined;
  return { ...f, sort: key === "startedAt" ? undefined : key, order };
}
