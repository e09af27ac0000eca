import { z } from "zod";
import { ZInstantOut, ZQueryInstant } from "./common.ts";
import { ZExecution } from "./executions.ts";
import { INTERVALS, rangeIssues, ZTimezone } from "./metrics.ts";

/** The range the overview opens on when none is given. */
export const OVERVIEW_DEFAULT_DAYS = 7;
export const OVERVIEW_TOP = 5;

/** The interval a range is bucketed by when the query names none: about 24 to 90 buckets. */
export function defaultInterval(fromMs: number, toMs: number): (typeof INTERVALS)[number] {
  const days = (toMs - fromMs) / 86_400_000;
  return days <= 3 ? "hour" : days <= 90 ? "day" : days <= 730 ? "week" : "month";
}

export const ZOverviewQuery = z
  .object({
    from: ZQueryInstant.optional(),
    to: ZQueryInstant.optional(),
    agent: z.string().max(256).optional(),
    timezone: ZTimezone.default("UTC"),
    interval: z.enum(INTERVALS).optional(),
  })
  .transform((q) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - OVERVIEW_DEFAULT_DAYS * 86_400_000);
    return { ...q, from, to, interval: q.interval ?? defaultInterval(from.getTime(), to.getTime()) };
  })
  .superRefine((q, ctx) => {
    for (const issue of rangeIssues(q.from.getTime(), q.to.getTime(), q.interval))
      ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
  });
export type OverviewQuery = z.output<typeof ZOverviewQuery>;

const ZLatency = z.strictObject({
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

export const ZOverview = z.strictObject({
  from: ZInstantOut,
  to: ZInstantOut,
  interval: z.enum(INTERVALS),
  executions: z.number().int(),
  errors: z.number().int(),
  /** errors / executions; null without executions. */
  errorRate: z.number().nullable(),
  /**
   * Execution durations (ms) of finished executions: nearest-rank percentiles read from the
   * rollups' log-bucket histograms, each within `latencyError` (relative) of the exact value.
   */
  latency: ZLatency,
  latencyError: z.number(),
  tokens: z.number(),
  /** USD; null when no execution of the range has a cost. */
  cost: z.number().nullable(),
  series: z.array(
    z.strictObject({
      bucket: ZInstantOut.describe("The bucket's start"),
      executions: z.number().int(),
      errors: z.number().int(),
      p50: z.number().nullable(),
      p95: z.number().nullable(),
      tokens: z.number(),
      cost: z.number().nullable(),
    }),
  ),
  topErrors: z.array(
    z.strictObject({ name: z.string(), message: z.string(), count: z.number().int(), lastAt: ZInstantOut }),
  ),
  /** Per agent: its executions and their latency, tokens and cost (agents with executions only). */
  agents: z.array(
    z.strictObject({
      agent: z.string(),
      executions: z.number().int(),
      errors: z.number().int(),
      p50: z.number().nullable(),
      p95: z.number().nullable(),
      tokens: z.number(),
      cost: z.number().nullable(),
    }),
  ),
  /** LLM calls of the range's executions per model ('' when the source named none): count and latency. */
  models: z.array(z.strictObject({ model: z.string(), calls: z.number().int() }).extend(ZLatency.shape)),
  slowest: z.array(ZExecution),
  costliest: z.array(ZExecution),
});
export type Overview = z.infer<typeof ZOverview>;
