import type { AppliedPrice, ModelPrice } from "../contracts/models.ts";

/**
 * Which price a model's call pays, and what the call costs. Pure: the ingest path (cost stored
 * with each LLM call) and the recompute job (after a price edit) share it.
 */

/** Token counts of one call; cached and reasoning counts are parts of input and output. */
export type CallUsage = {
  input: number | null;
  output: number | null;
  cachedInput?: number | null;
  reasoning?: number | null;
};

export type PriceTable = {
  /** The price that applies to `model` for a call started at `at` (ISO instant), or null. */
  priceFor(model: string, at: string): AppliedPrice | null;
};

type Entry = { price: ModelPrice; exact: boolean; specificity: number; startsAt: string };

/**
 * Compiles a price table. Matching is case-insensitive on the model name as sent and on its last
 * path segment (`openai/gpt-4o`, `models/gemini-2.0-flash`); an exact name beats any pattern, a
 * longer pattern beats a shorter one (`gpt-4o-mini*` over `gpt-4o*`), and of one model's prices
 * the latest that started on or before the call's day applies.
 */
export function compilePriceTable(prices: readonly ModelPrice[]): PriceTable {
  const entries: Entry[] = prices.map((price) => {
    const pattern = price.model.toLowerCase();
    return {
      price: { ...price, model: pattern },
      exact: !pattern.includes("*"),
      specificity: pattern.replaceAll("*", "").length,
      startsAt: price.startsAt ?? "",
    };
  });
  // Most specific first; of equally specific ones the latest start first.
  entries.sort(
    (a, b) =>
      Number(b.exact) - Number(a.exact) ||
      b.specificity - a.specificity ||
      (a.startsAt < b.startsAt ? 1 : a.startsAt > b.startsAt ? -1 : 0),
  );
  const cache = new Map<string, Entry[]>();
  const candidates = (model: string): Entry[] => {
    let found = cache.get(model);
    if (!found) {
      const name = model.toLowerCase();
      const slash = name.lastIndexOf("/");
      const names = slash >= 0 && slash < name.length - 1 ? [name, name.slice(slash + 1)] : [name];
      const matching = entries.filter((e) => names.some((n) => globMatches(e.price.model, n)));
      // Only the best pattern's prices compete on date: a dated price of a broader pattern must not
      // win over the more specific model's undated one.
      found = matching.filter((e) => e.price.model === matching[0]?.price.model);
      if (cache.size > 10_000) cache.clear();
      cache.set(model, found);
    }
    return found;
  };
  return {
    priceFor(model, at) {
      const day = at.slice(0, 10);
      const entry = candidates(model).find((e) => e.startsAt <= day);
      if (!entry) return null;
      const { model: pattern, startsAt, input, output, cachedInput, reasoning } = entry.price;
      return {
        model: pattern,
        startsAt: startsAt ?? null,
        input,
        output,
        cachedInput: cachedInput ?? null,
        reasoning: reasoning ?? null,
      };
    },
  };
}

/** USD for a call's usage at `price`, or null when the call carries no token counts. */
export function callCost(usage: CallUsage, price: AppliedPrice): number | null {
  if (usage.input == null && usage.output == null) return null;
  const input = usage.input ?? 0;
  const output = usage.output ?? 0;
  const cached = Math.min(input, usage.cachedInput ?? 0);
  const reasoning = Math.min(output, usage.reasoning ?? 0);
  const usd =
    (input - cached) * price.input +
    cached * (price.cachedInput ?? price.input) +
    (output - reasoning) * price.output +
    reasoning * (price.reasoning ?? price.output);
  return usd / 1_000_000;
}

/**
 * Whether `name` matches `pattern`, where `*` matches any run of characters. Linear in practice
 * (the usual greedy matcher that backtracks only to the last star), so no pattern can stall ingest
 * the way a user-written regular expression could.
 */
export function globMatches(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === name[n]) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = n;
    } else if (star >= 0) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}
