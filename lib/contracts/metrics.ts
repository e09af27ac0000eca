import { z } from "zod";
import { epochProblem, isoProblem, ZInstantOut } from "./common.ts";

export const PERCENTILES = ["p50", "p90", "p95", "p99"] as const;
export const AGGREGATIONS = ["count", "rate", "sum", "avg", "distinct_count", ...PERCENTILES] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
/** Aggregations that answer 0 over no events (the others answer null: nothing to average or rank). */
export const ZERO_WHEN_EMPTY: ReadonlySet<string> = new Set<Aggregation>(["count", "sum", "distinct_count"]);

/**
 * Built-in measures: events that are not sent with track() but read from the execution rollups
 * (lib/overview): every execution of the card's agent, and every LLM call of its executions. Names
 * start with "$", which the catalog lists apart.
 */
export const BUILTIN_EVENTS = {
  $executions: {
    label: "Executions (built-in)",
    properties: [
      { key: "durationMs", type: "number" },
      { key: "cost", type: "number" },
      { key: "tokens", type: "number" },
      { key: "status", type: "string" },
    ],
    /** sum and avg of these; durationMs for percentiles only. */
    sums: ["cost", "tokens"],
    groupBy: [] as string[],
    /** rate: the share of executions with this status. */
    rate: { property: "status", equals: "error" },
  },
  $llm_calls: {
    label: "LLM calls (built-in)",
    properties: [
      { key: "durationMs", type: "number" },
      { key: "model", type: "string" },
    ],
    sums: [] as string[],
    groupBy: ["model"],
    rate: null,
  },
} as const;
export type BuiltinEvent = keyof typeof BUILTIN_EVENTS;
export const isBuiltinEvent = (name: string | undefined): name is BuiltinEvent =>
  name !== undefined && Object.hasOwn(BUILTIN_EVENTS, name);
export const isPercentile = (a: string): a is (typeof PERCENTILES)[number] =>
  (PERCENTILES as readonly string[]).includes(a);
/** The property percentiles are measured on. */
export const DURATION_PROPERTY = "durationMs";

/**
 * What a query or card over a built-in measure (or a percentile of anything else) asks that cannot be
 * answered, on the field to change; null when it can be.
 */
export function builtinIssue(q: {
  event?: string;
  aggregation: string;
  property?: string;
  where?: { property: string; equals: unknown };
  groupBy?: string;
}): { path: "aggregation" | "property" | "where" | "groupBy"; message: string } | null {
  if (!isBuiltinEvent(q.event)) {
    if (isPercentile(q.aggregation))
      return { path: "aggregation", message: "Percentiles are measured on $executions and $llm_calls durations." };
    return null;
  }
  const b = BUILTIN_EVENTS[q.event];
  if (isPercentile(q.aggregation)) {
    if (q.property !== DURATION_PROPERTY)
      return { path: "property", message: `Percentiles need property ${DURATION_PROPERTY}.` };
  } else if (q.aggregation === "sum" || q.aggregation === "avg") {
    if (!q.property || !(b.sums as readonly string[]).includes(q.property))
      return {
        path: "property",
        message: b.sums.length ? `One of ${b.sums.join(", ")} for ${q.event}.` : `${q.event} has no property to sum.`,
      };
  } else if (q.aggregation === "rate") {
    if (!b.rate || q.where?.property !== b.rate.property || q.where?.equals !== b.rate.equals)
      return {
        path: "where",
        message: b.rate ? `The rate of ${q.event} is of status = error.` : `${q.event} has no rate.`,
      };
  } else if (q.aggregation !== "count") return { path: "aggregation", message: `Not available for ${q.event}.` };
  if (q.where && q.aggregation !== "rate") return { path: "where", message: `${q.event} cannot be filtered.` };
  if (q.groupBy && !(b.groupBy as readonly string[]).includes(q.groupBy))
    return {
      path: "groupBy",
      message: b.groupBy.length ? `${q.event} groups by ${b.groupBy.join(", ")}.` : `${q.event} cannot be grouped.`,
    };
  return null;
}
export const INTERVALS = ["hour", "day", "week", "month"] as const;

const ZScalar = z.union([z.string().max(500), z.number(), z.boolean()]);

// Limits of a metric range (README › API › Limits). A query's cost grows with its buckets and its
// time-zone check with its length, so both are bounded before anything runs.
/** The longest range a query or a card covers: 100 years. */
export const METRIC_MAX_RANGE_MS = 36_525 * 86_400_000;
/** The most buckets an interval query returns. */
export const METRIC_MAX_BUCKETS = 10_000;
/** The shortest a bucket of each interval can be (local days, weeks and months lose an hour at DST). */
const MIN_BUCKET_MS: Record<(typeof INTERVALS)[number], number> = {
  hour: 3_600_000,
  day: 23 * 3_600_000,
  week: (7 * 24 - 1) * 3_600_000,
  month: (28 * 24 - 1) * 3_600_000,
};

/** An upper bound of the buckets `interval` splits [from, to) into (partial buckets at both ends included). */
export function bucketBound(fromMs: number, toMs: number, interval: (typeof INTERVALS)[number]): number {
  return Math.floor((toMs - fromMs) / MIN_BUCKET_MS[interval]) + 2;
}

type RangeIssue = { path: string; message: string };

/** What is wrong with a range and its interval, on the field to change (shared by queries and cards). */
export function rangeIssues(fromMs: number, toMs: number, interval?: (typeof INTERVALS)[number]): RangeIssue[] {
  if (toMs <= fromMs) return [{ path: "to", message: "Must be after from." }];
  if (toMs - fromMs > METRIC_MAX_RANGE_MS)
    return [{ path: "to", message: "A metric range covers at most 100 years (36,525 days)." }];
  if (interval && bucketBound(fromMs, toMs, interval) > METRIC_MAX_BUCKETS)
    return [
      {
        path: "interval",
        message: `At most ${METRIC_MAX_BUCKETS.toLocaleString("en-US")} buckets a query: use a longer interval or a shorter range.`,
      },
    ];
  return [];
}

/** Epoch milliseconds (whole) or an ISO-8601 string, of an instant Postgres can store; as a Date. */
const ZInstant = z
  .union([z.string(), z.number()])
  .superRefine((v, ctx) => {
    const message = typeof v === "string" ? isoProblem(v) : epochProblem(v, "milliseconds", true);
    // Not continuing: the query's range checks below need both instants.
    if (message) ctx.addIssue({ code: "custom", message, continue: false });
  })
  .transform((v) => new Date(v));
/** An IANA time zone JavaScript knows (services also check that Postgres knows it). */
export const ZTimezone = z
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
    for (const issue of rangeIssues(q.from.getTime(), q.to.getTime(), q.interval))
      ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    const builtin = builtinIssue(q);
    if (builtin) ctx.addIssue({ code: "custom", path: [builtin.path], message: builtin.message });
  });
export type MetricQuery = z.output<typeof ZMetricQuery>;

/** A query's answer: one value, a series of buckets (with interval) or groups (with groupBy). */
/**
 * Present when the range starts before the raw events the workspace keeps (Settings › Data › events
 * retention): raw events are kept since `rawEventsSince`; before it the answer came from the hourly
 * rollups (`rollups`, which keep their history), or from raw events only (`raw`: a per-value or
 * numeric query the rollups cannot answer, so its earlier part is incomplete).
 */
export const ZMetricHistory = z.strictObject({
  rawEventsSince: ZInstantOut,
  answeredFrom: z.enum(["rollups", "raw"]),
});
export type MetricHistory = z.infer<typeof ZMetricHistory>;
const history = ZMetricHistory.optional();

export const ZMetricResult = z.union([
  z.strictObject({ value: z.number().nullable(), history }),
  z.strictObject({
    series: z.array(
      z.strictObject({ bucket: ZInstantOut.describe("The bucket's start"), value: z.number().nullable() }),
    ),
    history,
  }),
  z.strictObject({ groups: z.array(z.strictObject({ key: z.string(), value: z.number().nullable() })), history }),
]);
export type MetricResult = z.infer<typeof ZMetricResult>;
/** Which plan answered a query (docs/architecture.md › Metrics), in the `x-runlens-metric-source` header. */
export const METRIC_SOURCE_HEADER = "x-runlens-metric-source";

export const CARD_TYPES = ["number", "rate", "line", "bar", "pie", "feed"] as const;
export const RANGES = ["24h", "7d", "30d", "90d", "custom"] as const;

function refineIso(s: string, ctx: z.RefinementCtx) {
  const message = isoProblem(s);
  if (message) ctx.addIssue({ code: "custom", message, continue: false });
}

/** A card's saved query: the query API's fields with a relative range instead of from/to. */
const ZCardQueryFields = z.object({
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
  /** With range "custom": ISO-8601 bounds, checked like a query's. */
  from: z.string().max(64).superRefine(refineIso).optional(),
  to: z.string().max(64).superRefine(refineIso).optional(),
});
export const ZCardQuery = ZCardQueryFields.superRefine((q, ctx) => {
  if (q.range !== "custom") return;
  if (!q.from || !q.to) {
    for (const path of ["from", "to"] as const)
      if (!q[path]) ctx.addIssue({ code: "custom", path: [path], message: 'Required with range "custom".' });
    return;
  }
  for (const issue of rangeIssues(Date.parse(q.from), Date.parse(q.to), q.interval))
    ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
});
/** The Metrics grid's columns at its widest: the layout a tab saves (narrower widths reflow it). */
export const GRID_COLS = 12;
export type GridPlace = { x: number; y: number; w: number; h: number };

/**
 * The first place, row by row from the top left, where a card of `size` overlaps none of `taken`:
 * where the cards API puts a new card, and how the browser reflows the grid for fewer columns.
 */
export function firstFreePlace(
  taken: readonly GridPlace[],
  size: { w: number; h: number },
  cols = GRID_COLS,
): GridPlace {
  const w = Math.min(size.w, cols);
  const h = size.h;
  const overlaps = (x: number, y: number) =>
    taken.some((t) => x < t.x + t.w && t.x < x + w && y < t.y + t.h && t.y < y + h);
  const bottom = taken.reduce((max, t) => Math.max(max, t.y + t.h), 0);
  for (let y = 0; y < bottom; y++) for (let x = 0; x + w <= cols; x++) if (!overlaps(x, y)) return { x, y, w, h };
  return { x: 0, y: bottom, w, h };
}

export const ZLayoutItem = z.object({
  x: z.number().int().min(0).max(48),
  y: z.number().int().min(0).max(10_000),
  w: z.number().int().min(1).max(12),
  h: z.number().int().min(1).max(40),
});
export type CardType = (typeof CARD_TYPES)[number];
export type CardQueryFields = z.input<typeof ZCardQueryFields>;

/** A field a card cannot render without, and what to pick: one rule for the builder and the cards API. */
export type CardGap = {
  path: "query.event" | "query.aggregation" | "query.property" | "query.where" | "query.groupBy";
  message: string;
};

/**
 * What a card of `type` still lacks before its query can run, or null when it can render. The
 * builder's save button shows this message, and the cards API answers 400 on this path.
 */
export function cardGap(type: CardType, query: CardQueryFields): CardGap | null {
  if (type === "feed") return null;
  if (!query.event) return { path: "query.event", message: "Pick an event." };
  const aggregation = type === "rate" ? "rate" : (query.aggregation ?? "count");
  if (aggregation === "rate" && !query.where?.property)
    return { path: "query.where", message: "Pick the property and value to count." };
  if ((aggregation === "sum" || aggregation === "avg" || aggregation === "distinct_count") && !query.property)
    return { path: "query.property", message: "Pick a property." };
  if (type === "pie" && !query.groupBy) return { path: "query.groupBy", message: "Pick the property to slice by." };
  const builtin = builtinIssue({ ...query, aggregation });
  if (builtin) return { path: `query.${builtin.path}`, message: builtin.message };
  return null;
}

function refineCardGap(card: { type?: CardType; query?: CardQueryFields }, ctx: z.RefinementCtx) {
  if (!card.type || !card.query) return;
  const gap = cardGap(card.type, card.query);
  if (gap) ctx.addIssue({ code: "custom", path: gap.path.split("."), message: gap.message });
}

const ZCardFields = z.object({
  title: z.string().trim().min(1).max(120),
  type: z.enum(CARD_TYPES),
  query: ZCardQuery,
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, "Use a #rrggbb colour.")
    .optional(),
  layout: ZLayoutItem.optional(),
});
/** A new card; one that could not render (a sum without its property, a pie without slices) is refused. */
export const ZCreateCard = ZCardFields.extend({ agent: z.string().min(1).max(256) }).superRefine(refineCardGap);
/**
 * A change to a card. With both type and query the same rule applies here; a patch of only one of
 * them is checked against the stored card by the service (lib/metrics/cards.ts).
 */
export const ZUpdateCard = ZCardFields.partial().superRefine(refineCardGap);
export const ZLayoutRequest = z.object({
  agent: z.string().min(1).max(256),
  layout: z.array(ZLayoutItem.extend({ id: z.string().min(1).max(64) })).max(200),
});
export const ZCard = z.strictObject({
  id: z.string(),
  agent: z.string(),
  title: z.string(),
  type: z.enum(CARD_TYPES),
  /** As saved (defaults filled in); a custom range was checked when it was saved. */
  query: ZCardQueryFields,
  color: z.string().nullable(),
  layout: ZLayoutItem,
});
export type Card = z.infer<typeof ZCard>;
export const ZCardList = z.strictObject({ cards: z.array(ZCard) });
export type CardList = z.infer<typeof ZCardList>;
export const ZCardOne = z.strictObject({ card: ZCard });
export type CardOne = z.infer<typeof ZCardOne>;
export const ZCardListQuery = z.object({ agent: z.string().min(1).max(256) });

/** The JSON types an event property's values had; more than one is "mixed". */
export const PROPERTY_TYPES = ["number", "string", "boolean", "object", "array", "mixed"] as const;
export const ZCatalogEvent = z.strictObject({
  name: z.string(),
  count: z.number().int(),
  lastSeenAt: ZInstantOut,
  properties: z.array(z.strictObject({ key: z.string(), type: z.enum(PROPERTY_TYPES) })),
});
export type CatalogEvent = z.infer<typeof ZCatalogEvent>;
export type CatalogProperty = CatalogEvent["properties"][number];
export const ZCatalog = z.strictObject({ events: z.array(ZCatalogEvent) });
export type Catalog = z.infer<typeof ZCatalog>;
/** Without an agent, the same event name of several agents is one entry. */
export const ZCatalogQuery = z.object({ agent: z.string().optional() });

/** The live feed card: the latest events of an agent (optionally of some names, comma-separated), newest first. */
export const ZEventFeedQuery = z.object({
  agent: z.string().min(1).max(256),
  names: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type EventFeedQuery = z.infer<typeof ZEventFeedQuery>;
export const ZFeedEvent = z.strictObject({
  id: z.string(),
  name: z.string(),
  properties: z.record(z.string(), z.unknown()),
  timestamp: ZInstantOut,
});
export type FeedEvent = z.infer<typeof ZFeedEvent>;
export const ZEventFeed = z.strictObject({ events: z.array(ZFeedEvent) });
export type EventFeed = z.infer<typeof ZEventFeed>;
