import { z } from "zod";

/**
 * Model prices (Settings › Models): what an LLM call costs, per model, from a date on. Prices are
 * USD per million tokens, as providers publish them.
 */

export const MAX_MODEL_PRICES = 1000;
/** A price above this per million tokens is a typo (the dearest models cost a few hundred). */
const MAX_PRICE = 100_000;

const ZPerMillion = z.number().min(0).max(MAX_PRICE);

export const ZModelPrice = z.object({
  model: z
    .string()
    .trim()
    .min(1, "Name the model.")
    .max(200)
    .regex(/^[^\s]+$/, "A model name or pattern has no spaces.")
    .describe("Model name, or a pattern where * matches any characters (gpt-4o-mini*). Case-insensitive."),
  provider: z.string().trim().max(100).nullish().describe("Shown beside the model; not used for matching."),
  startsAt: z.iso
    .date("A date as YYYY-MM-DD.")
    .nullish()
    .describe("The first day (UTC) the price applies to; calls before it use an earlier price."),
  input: ZPerMillion.describe("USD per million input tokens"),
  output: ZPerMillion.describe("USD per million output tokens"),
  cachedInput: ZPerMillion.nullish().describe("USD per million cached input tokens (default: the input price)"),
  reasoning: ZPerMillion.nullish().describe("USD per million reasoning tokens (default: the output price)"),
});
export type ModelPrice = z.infer<typeof ZModelPrice>;

export const ZModelPricesRequest = z.object({
  prices: z
    .array(ZModelPrice)
    .max(MAX_MODEL_PRICES, `At most ${MAX_MODEL_PRICES} prices.`)
    .nullable()
    .describe("The workspace's table; null goes back to the built-in one."),
});
export type ModelPricesRequest = z.infer<typeof ZModelPricesRequest>;

export const RECOMPUTE_STATES = ["idle", "queued", "running", "done", "failed"] as const;

export const ZUnpricedModel = z.object({
  model: z.string(),
  calls: z.number().int(),
  lastSeenAt: z.string(),
});

export const ZModelPricesResponse = z.object({
  prices: z.array(ZModelPrice),
  /** False while the workspace uses the built-in table. */
  custom: z.boolean(),
  /** The built-in table, to start from or go back to. */
  defaults: z.array(ZModelPrice),
  /** Models of stored LLM calls that no price matches, most used first. */
  unpriced: z.array(ZUnpricedModel),
  recompute: z.object({
    state: z.enum(RECOMPUTE_STATES),
    requestedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    /** LLM calls whose cost was recomputed by the last run. */
    spans: z.number().int().nullable(),
    error: z.string().nullable(),
  }),
});
export type ModelPricesResponse = z.infer<typeof ZModelPricesResponse>;
export type RecomputeStatus = ModelPricesResponse["recompute"];

/** The price a stored call's cost came from (span.llm.price), for the span panel. */
export const ZAppliedPrice = ZModelPrice.pick({
  model: true,
  startsAt: true,
  input: true,
  output: true,
  cachedInput: true,
  reasoning: true,
});
export type AppliedPrice = z.infer<typeof ZAppliedPrice>;
