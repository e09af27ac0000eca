import type { z } from "zod";
import { type Card, cardGap, ZCreateCard, type ZMetricQuery } from "@/lib/contracts/metrics";
import { resolveRange } from "./range";

export type CardDraft = Pick<Card, "type" | "query" | "color"> & { agent: string };
type MetricQueryBody = z.input<typeof ZMetricQuery>;

/**
 * The metric query a card other than a feed runs (POST /api/v1/metrics/query), or what the card
 * still lacks to run one: the cards API's own rule (`cardGap`), so the builder's preview and its
 * disabled save say the same thing the API would answer. Pure: the range resolves against `now`,
 * in the viewer's `timezone`.
 */
export function cardQuery(
  card: CardDraft,
  opts: { now?: number; timezone: string },
): { body: MetricQueryBody; missing: null } | { body: null; missing: string } {
  const q = card.query;
  const aggregation = card.type === "rate" ? "rate" : q.aggregation;
  const missing = cardGap(card.type, q)?.message;
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

const FIELD_LABELS: Record<string, string> = {
  title: "Title",
  color: "Colour",
  "query.from": "From",
  "query.to": "To",
  "query.interval": "Interval",
  "query.events": "Events",
};

/**
 * Why the cards API would refuse this card, in words for the builder's save button, or null when
 * it would save it: the same schema the API parses (ZCreateCard), so no card the builder saves can
 * fail to render and no card the builder refuses would have been taken.
 */
export function saveProblem(card: z.input<typeof ZCreateCard>): string | null {
  const parsed = ZCreateCard.safeParse(card);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  const path = issue.path.join(".");
  // The card rule's messages say what to pick; a field's own message needs the field's name.
  if (cardGap(card.type, card.query)?.path === path) return issue.message;
  return `${FIELD_LABELS[path] ?? path}: ${issue.message}`;
}
