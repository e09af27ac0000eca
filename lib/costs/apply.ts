import type { SpanRow } from "../ingest/model.ts";
import { callCost, type PriceTable } from "./pricing.ts";

/** Span types whose cost is the model's bill (what execution, thread and agent costs sum). */
export const PRICED_SPAN_TYPES = ["llm_call", "embedding"] as const;
const PRICED = new Set<string>(PRICED_SPAN_TYPES);

type LlmFields = {
  cost?: unknown;
  price?: unknown;
  usageDetails?: { cacheReadTokens?: unknown; reasoningTokens?: unknown } | null;
};

const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);

/**
 * What a model call cost: the client's own figure when it sent one (our SDK's `llm.cost`, OTel's
 * `gen_ai.usage.cost`), else its tokens at the price the table gives its model on the day it started.
 * Returns the span with `cost` set, and `llm.cost` / `llm.price` (the price used) for the span panel;
 * a span the table cannot price is returned without a cost.
 */
export function priceSpan(span: SpanRow, table: PriceTable): SpanRow {
  if (!PRICED.has(span.type)) return span;
  const llm = (span.llm && typeof span.llm === "object" ? span.llm : null) as LlmFields | null;
  const sent = count(llm?.cost);
  if (sent !== null && llm?.price === undefined) return { ...span, cost: sent };
  if (!span.llm_model) return { ...span, cost: null };
  const price = table.priceFor(span.llm_model, span.started_at);
  const cost = price
    ? callCost(
        {
          input: span.tokens_input,
          output: span.tokens_output,
          cachedInput: count(llm?.usageDetails?.cacheReadTokens),
          reasoning: count(llm?.usageDetails?.reasoningTokens),
        },
        price,
      )
    : null;
  if (cost === null) {
    if (!llm || (llm.cost === undefined && llm.price === undefined)) return { ...span, cost: null };
    const { cost: _cost, price: _price, ...rest } = llm;
    return { ...span, cost: null, llm: rest };
  }
  return { ...span, cost, llm: { ...(llm ?? {}), cost, price } };
}
