import type { z } from "zod";
import type { Card, ZMetricQuery } from "@/lib/contracts/metrics";
import { resolveRange } from "./range";

export type CardDraft = Pick<Card, "type" | "query" | "color"> & { agent: string };
type MetricQueryBody = z.input<typeof ZMetricQuery>;

/**
 * The metric query a card other than a feed runs (POST /api/v1/metrics/query), or what the card
 * still lacks to run one (the builder's preview renders while fields are picked; a saved card lacks nothing). Pure:
 * the range resolves against `now`, in the viewer's `timezone`.
 */
export function cardQuery(
  card: CardDraft,
  opts: { now?: number; timezone: string },
): { body: MetricQueryBody; missing: null } | { body: null; missing: string } {
  const q = card.query;
  const aggregation = card.type === "rate" ? "rate" : q.aggregation;
  const missing = !q.event
    ? "Pick an event."
    : aggregation === "rate" && !q.where?.property
      ? "Pick the property and value to count."
      : (aggregation === "sum" || aggregation === "avg" || aggregation === "distinct_count") && !q.property
        ? "Pick a property."
        : card.type === "pie" && !q.groupBy
          ? "Pick the property to slice by."
          : null;
  if (missing) return { body: null, missing };
  const grouped = card.type === "pie" || (card.type === "bar" && !!q.groupBy);
  const body = {
    agent: card.agent,
    event: q.event,
    aggregation,
    property: q.property || undefined,
    where: q.where,
    ...(card.type === "line" || (card.type === "bar" && !q.groupBy) ? { interval: q.interval ?? "day" } : {}),
    ...(grouped ? { groupBy: q.groupBy, top: card.type === "pie" ? 8 : 20 } : {}),
    ...resolveRange(q.range, { from: q.from, to: q.to }, opts.now),
    timezone: opts.timezone,
  } as MetricQueryBody;
  return { body, missing: null };
}
