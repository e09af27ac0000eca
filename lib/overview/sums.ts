import "server-only";
import { type Int8, int8 } from "../db/sql.ts";
import { addToHistogram, type Histogram } from "./histogram.ts";

/**
 * Rollup sums of a group (a series bucket, an agent, a model, a whole range): executions (or LLM
 * calls), errors, tokens, cost, how many executions have a cost, and the duration histogram.
 */
export type RollupSums = { n: number; errors: number; tokens: number; cost: number; priced: number; hist: Histogram };

export const newSums = (): RollupSums => ({ n: 0, errors: 0, tokens: 0, cost: 0, priced: 0, hist: new Map() });

/** Adds `s` to `into` (histograms merge by adding counts). */
export function mergeSums(into: RollupSums, s: RollupSums): void {
  into.n += s.n;
  into.errors += s.errors;
  into.tokens += s.tokens;
  into.cost += s.cost;
  into.priced += s.priced;
  for (const [b, n] of s.hist) addToHistogram(into.hist, b, n);
}

/** USD of a group; null when none of its executions has a cost. */
export const costOf = (s: RollupSums) => (s.priced > 0 ? s.cost : null);

/** A row of a grouped rollup read: its group's key, a histogram bucket and the sums of that bucket. */
export type RollupRow = {
  key: Date | string | null;
  bucket: number;
  n: Int8;
  errors: Int8;
  tokens: Int8 | string;
  cost: number | string;
  priced: Int8;
};

/** Grouped rollup rows as sums per key (a Date key as its ISO string, null as ""). */
export function sumsByKey(rows: RollupRow[]): Map<string, RollupSums> {
  const out = new Map<string, RollupSums>();
  for (const r of rows) {
    const key = r.key instanceof Date ? r.key.toISOString() : String(r.key ?? "");
    const g = out.get(key) ?? out.set(key, newSums()).get(key)!;
    const n = int8(r.n) ?? 0;
    g.n += n;
    g.errors += int8(r.errors) ?? 0;
    g.tokens += Number(r.tokens ?? 0);
    g.cost += Number(r.cost ?? 0);
    g.priced += int8(r.priced) ?? 0;
    addToHistogram(g.hist, Number(r.bucket), n);
  }
  return out;
}
