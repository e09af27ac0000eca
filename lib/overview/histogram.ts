/**
 * Latency histograms with log buckets: bucket 0 holds durations under 1 ms, bucket k >= 1 holds
 * [R^(k-1), R^k) ms. A percentile read from a histogram is its bucket's geometric middle,
 * R^(k-0.5), so it is within LATENCY_RELATIVE_ERROR of the exact nearest-rank percentile
 * (the value at rank ceil(q * n) of the sorted durations), whatever the distribution, the range or
 * how many histograms were merged: merging is adding counts. Fixed buckets rather than a sketch
 * (t-digest, DDSketch) because they merge by addition in SQL (`sum(n) GROUP BY bucket`), which is
 * what the rollups written at ingest need, with a bound that never depends on the data.
 *
 * The same function exists in SQL as runlens_latency_bucket (migration 20261206120825).
 */

/** Growth factor between bucket bounds. */
export const LATENCY_RATIO = 1.04;
/** Largest relative error of a percentile from a histogram: sqrt(1.04) - 1, under 2%. */
export const LATENCY_RELATIVE_ERROR = Math.sqrt(LATENCY_RATIO) - 1;
/** Bucket of a span or execution without a duration (running): counted, never in a percentile. */
export const NO_DURATION = -1;

/** The bucket of a duration in milliseconds, as runlens_latency_bucket computes it. */
export function latencyBucketOf(ms: number | null): number {
  if (ms === null || Number.isNaN(ms)) return NO_DURATION;
  if (ms < 1) return 0;
  return Math.min(Math.floor(Math.log(ms) / Math.log(LATENCY_RATIO)) + 1, 32000);
}

/** The value a bucket stands for: its geometric middle (0 for bucket 0). */
export function bucketValue(bucket: number): number {
  return bucket <= 0 ? 0 : LATENCY_RATIO ** (bucket - 0.5);
}

/** SQL: the bucket of the duration between two timestamp columns (NULL end: NO_DURATION). */
export const latencyBucket = (start: string, end: string) =>
  `runlens_latency_bucket(extract(epoch FROM (${end} - ${start})) * 1000)`;

/** Counts per bucket, summed from rollup rows. */
export type Histogram = Map<number, number>;

export function addToHistogram(h: Histogram, bucket: number, n: number): void {
  if (bucket < 0 || n === 0) return;
  const v = (h.get(bucket) ?? 0) + n;
  if (v === 0) h.delete(bucket);
  else h.set(bucket, v);
}

/**
 * Nearest-rank percentiles (q in (0, 1]) of a histogram, one per q, null when it is empty. Ranks
 * are ceil(q * n), so p50 of [10, 20] is 10, as percentile_disc computes it.
 */
export function percentiles(h: Histogram, qs: readonly number[]): (number | null)[] {
  let total = 0;
  for (const n of h.values()) if (n > 0) total += n;
  if (total === 0) return qs.map(() => null);
  const buckets = [...h.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  return qs.map((q) => {
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const [bucket, n] of buckets) {
      seen += n;
      if (seen >= rank) return bucketValue(bucket);
    }
    return bucketValue(buckets[buckets.length - 1][0]);
  });
}
