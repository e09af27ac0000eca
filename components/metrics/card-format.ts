import { BUILTIN_EVENTS, type Card, isBuiltinEvent, isPercentile } from "@/lib/contracts/metrics";
import { formatNumber } from "@/lib/format";

type CardShape = Pick<Card, "type" | "query">;

/**
 * Units read from the last word of a property's name, as instrumented code usually spells them
 * (`duration_ms`, `latencySeconds`, `cost_usd`, `discount-pct`). A name without one has no unit.
 */
const NAME_UNITS: Record<string, string> = {
  ms: "ms",
  millis: "ms",
  milliseconds: "ms",
  s: "s",
  sec: "s",
  secs: "s",
  seconds: "s",
  min: "min",
  mins: "min",
  minutes: "min",
  usd: "USD",
  eur: "EUR",
  brl: "BRL",
  pct: "%",
  percent: "%",
  tokens: "tokens",
  bytes: "bytes",
};

/** The unit of a property's values, from its name; null when its name does not say. */
export function propertyUnit(property: string | undefined): string | null {
  const words = property?.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean) ?? [];
  const last = words.at(-1)?.toLowerCase();
  return (last && Object.hasOwn(NAME_UNITS, last) && NAME_UNITS[last]) || null;
}

/**
 * What a card's numbers count, where known: "%" for rates, "events" for counts, "distinct <property>"
 * for distinct counts, and for sums and averages the unit the property's name carries.
 */
export function cardUnit(card: CardShape): string | null {
  if (card.type === "feed") return null;
  const q = card.query;
  const aggregation = card.type === "rate" ? "rate" : q.aggregation;
  if (aggregation === "rate") return "%";
  if (aggregation === "count") return "events";
  if (aggregation === "distinct_count") return q.property ? `distinct ${q.property}` : null;
  // Built-in measures: durations in ms, cost in USD (lib/costs prices in dollars).
  if (isBuiltinEvent(q.event) && q.property === "cost") return "USD";
  return propertyUnit(q.property);
}

/** The series a card draws, as its tooltip names it: "Count of order_placed", "Sum of amount". */
export function seriesName(card: CardShape): string {
  const q = card.query;
  const aggregation = card.type === "rate" ? "rate" : q.aggregation;
  if (aggregation === "rate") {
    const where = q.where ? `${q.where.property} = ${String(q.where.equals)}` : "the value";
    return `Share with ${where}`;
  }
  const event = isBuiltinEvent(q.event) ? BUILTIN_EVENTS[q.event].label.replace(" (built-in)", "") : q.event;
  if (aggregation === "count") return `Count of ${event ?? "events"}`;
  if (isPercentile(aggregation)) return `${aggregation} of ${event} duration`;
  if (aggregation === "distinct_count") return `Distinct ${q.property ?? "values"}`;
  return `${aggregation === "sum" ? "Sum" : "Average"} of ${q.property ?? "a property"}`;
}

const CURRENCIES = new Set(["USD", "EUR", "BRL"]);

/** A value as a card shows it: "75.0%", "$1,234.50", "1,234 ms", "12" (counts say their unit elsewhere). */
export function formatMetricValue(value: number | null, unit: string | null): string {
  if (value === null) return "–";
  if (unit === "%") return `${value.toFixed(1)}%`;
  if (unit && CURRENCIES.has(unit))
    return new Intl.NumberFormat("en-US", { style: "currency", currency: unit }).format(value);
  const rounded = formatNumber(Math.round(value * 100) / 100);
  return unit && unit !== "events" && !unit.startsWith("distinct ") ? `${rounded} ${unit}` : rounded;
}

const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** An axis tick: short enough for a narrow card ("1.2K", "3.4M", "12.5"). */
export function formatTick(value: number): string {
  return Math.abs(value) < 1000 ? formatNumber(Math.round(value * 10) / 10) : COMPACT.format(value);
}

/** A category name cut to `max` characters with an ellipsis (axis ticks; the tooltip shows it whole). */
export function shortLabel(text: string, max = 12): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The big number's font size: as large as its card allows (`cqi`/`cqh` of the value's container),
 * smaller for longer text so it never overflows: a digit is at most about 0.62 em wide.
 */
export function valueFontSize(text: string): string {
  const ems = Math.max(text.length, 2) * 0.62 + 0.4;
  return `clamp(0.875rem, min(${(100 / ems).toFixed(2)}cqi, 55cqh), 3.5rem)`;
}

export type PropertyEntry = { key: string; value: string };

/** An event's properties as a readable list: numbers formatted, nested values as compact JSON. */
export function propertyEntries(properties: Record<string, unknown>): PropertyEntry[] {
  return Object.entries(properties).map(([key, v]) => ({ key, value: propertyText(v) }));
}

function propertyText(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v === "" ? '""' : v;
  if (typeof v === "boolean") return v ? "true" : "false";
  const json = JSON.stringify(v);
  return json.length > 120 ? `${json.slice(0, 119)}…` : json;
}
