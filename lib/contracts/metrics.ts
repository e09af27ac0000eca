import { z } from "zod";

export const AGGREGATIONS = ["count", "rate", "sum", "avg", "distinct_count"] as const;
export const INTERVALS = ["hour", "day", "week", "month"] as const;

const ZScalar = z.union([z.string().max(500), z.number(), z.boolean()]);
const ZInstant = z
  .union([z.string().refine((s) => !Number.isNaN(Date.parse(s)), "Expected an ISO-8601 timestamp."), z.number().int()])
  .transform((v) => new Date(v));
const ZTimezone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "Unknown time zone.");

export const ZMetricQuery = z
  .object({
    agent: z.string().min(1).max(256),
    event: z.string().min(1).max(128),
    aggregation: z.enum(AGGREGATIONS),
    property: z.string().min(1).max(256).optional(),
    where: z.object({ property: z.string().min(1).max(256), equals: ZScalar }).optional(),
    groupBy: z.string().min(1).max(256).optional(),
    /** With groupBy: keep the top N groups and fold the rest into "other". */
    top: z.number().int().min(1).max(100).optional(),
    interval: z.enum(INTERVALS).optional(),
    from: ZInstant,
    to: ZInstant,
    timezone: ZTimezone.default("UTC"),
  })
  .superRefine((q, ctx) => {
    if ((q.aggregation === "sum" || q.aggregation === "avg" || q.aggregation === "distinct_count") && !q.property) {
      ctx.addIssue({ code: "custom", path: ["property"], message: `Required for ${q.aggregation}.` });
    }
    if (q.aggregation === "rate" && !q.where)
      ctx.addIssue({ code: "custom", path: ["where"], message: "Required for rate: the property and value to count." });
    if (q.interval && q.groupBy)
      ctx.addIssue({ code: "custom", path: ["groupBy"], message: "Use either interval or groupBy." });
    if (q.to <= q.from) ctx.addIssue({ code: "custom", path: ["to"], message: "Must be after from." });
    if (q.interval === "hour" && q.to.getTime() - q.from.getTime() > 366 * 86_400_000) {
      ctx.addIssue({ code: "custom", path: ["interval"], message: "Hourly buckets cover at most a year." });
    }
  });
export type MetricQuery = z.output<typeof ZMetricQuery>;

export type MetricResult =
  | { value: number | null }
  | { series: { bucket: string; value: number | null }[] }
  | { groups: { key: string; value: number | null }[] };

export const CARD_TYPES = ["number", "rate", "line", "bar", "pie", "feed"] as const;
export const RANGES = ["24h", "7d", "30d", "90d", "custom"] as const;

/** A card's saved query: the query API's fields with a relative range instead of from/to. */
export const ZCardQuery = z.object({
  event: z.string().min(1).max(128).optional(),
  events: z.array(z.string().min(1).max(128)).max(20).optional(),
  aggregation: z.enum(AGGREGATIONS).default("count"),
  property: z.string().max(256).optional(),
  where: z
    .object({ property: z.string().min(1).max(256), equals: z.union([z.string().max(500), z.number(), z.boolean()]) })
    .optional(),
  groupBy: z.string().max(256).optional(),
  interval: z.enum(INTERVALS).optional(),
  range: z.enum(RANGES).default("7d"),
  from: z.string().optional(),
  to: z.string().optional(),
});
export const ZLayoutItem = z.object({
  x: z.number().int().min(0).max(48),
  y: z.number().int().min(0).max(10_000),
  w: z.number().int().min(1).max(12),
  h: z.number().int().min(1).max(40),
});
export const ZCreateCard = z.object({
  agent: z.string().min(1).max(256),
  title: z.string().trim().min(1).max(120),
  type: z.enum(CARD_TYPES),
  query: ZCardQuery,
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, "Use a #rrggbb colour.")
    .optional(),
  layout: ZLayoutItem.optional(),
});
export const ZUpdateCard = ZCreateCard.omit({ agent: true }).partial();
export const ZLayoutRequest = z.object({
  agent: z.string().min(1).max(256),
  layout: z.array(ZLayoutItem.extend({ id: z.string().min(1).max(64) })).max(200),
});
export type Card = {
  id: string;
  agent: string;
  title: string;
  type: (typeof CARD_TYPES)[number];
  query: z.infer<typeof ZCardQuery>;
  color: string | null;
  layout: z.infer<typeof ZLayoutItem>;
};
