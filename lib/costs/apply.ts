import type { AppliedPrice } from "../contracts/models.ts";
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

/** What pricing does to a span: its `cost`, and whether its `llm` gets `cost` and `price` or loses them. */
type Pricing = { cost: number | null; price?: AppliedPrice; strip?: boolean };

/**
 * What a model call cost: the client's own figure when it sent one (our SDK's `llm.cost`, OTel's
 * `gen_ai.usage.cost`), else its tokens at the price the table gives its model on the day it started.
 * Null for a span that is not a model call (it keeps no cost).
 */
function pricing(span: SpanRow, table: PriceTable): Pricing | null {
  if (!PRICED.has(span.type)) return null;
  const llm = (span.llm && typeof span.llm === "object" ? span.llm : null) as LlmFields | null;
  const sent = count(llm?.cost);
  if (sent !== null && llm?.price === undefined) return { cost: sent };
  if (!span.llm_model) return { cost: null };
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
  if (cost !== null && price) return { cost, price };
  // A stale figure of an earlier pricing (a resent or recomputed span) goes.
  return { cost: null, strip: !!llm && (llm.cost !== undefined || llm.price !== undefined) };
}

/** `llm` without `cost` and `price`, the other keys in their order. */
function withoutPrice(llm: LlmFields): Record<string, unknown> {
  const { cost: _cost, price: _price, ...rest } = llm;
  return rest;
}

/**
 * The span priced (see pricing()): a copy with `cost` set, and `llm.cost` / `llm.price` (the price
 * used) for the span panel; a span the table cannot price gets a null cost. The span itself is not
 * changed (the recompute job compares the result with what is stored).
 */
export function priceSpan(span: SpanRow, table: PriceTable): SpanRow {
  const p = pricing(span, table);
  if (!p) return span;
  const llm = span.llm && typeof span.llm === "object" ? (span.llm as LlmFields) : null;
  if (p.price) return { ...span, cost: p.cost, llm: { ...(llm ?? {}), cost: p.cost, price: p.price } };
  if (p.strip && llm) return { ...span, cost: null, llm: withoutPrice(llm) };
  return { ...span, cost: p.cost };
}

/**
 * priceSpan's result written into the span itself (and its `llm` object), for ingest, whose rows are
 * the adapter's fresh objects: same keys in the same order, same values. At ingest rates the copies
 * priceSpan makes cost more than the pricing (~2 µs a span on the web thread, and the copied rows
 * made the COPY text after them ~2 µs a span slower; docs/performance.md, Ingest, eighth session).
 */
export function priceSpanInPlace(span: SpanRow, table: PriceTable): SpanRow {
  const p = pricing(span, table);
  if (!p) return span;
  span.cost = p.cost;
  if (p.price) {
    const llm = span.llm;
    if (llm && typeof llm === "object") {
      (llm as LlmFields).cost = p.cost;
      (llm as LlmFields).price = p.price;
    } else span.llm = { cost: p.cost, price: p.price };
  } else if (p.strip) span.llm = withoutPrice(span.llm as LlmFields);
  return span;
}
