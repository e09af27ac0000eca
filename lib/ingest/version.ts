import type { EventRow, SpanRow } from "./model.ts";
import { cleanString } from "./serialize.ts";

/**
 * Versions of ingested items: the order in which the server accepted them. A span or event stored
 * under an id is replaced only by a version that is not older (spans: a finished one also outranks
 * every "running" one, so a span's end is never replaced by its own start), whatever the order in
 * which their batches reach the database (parallel workers, retries, a worker restart).
 *
 * A version is a hybrid clock in microseconds: the wall clock, or one more than the last version
 * this process gave when the clock has not moved on (or went back). Processes therefore order
 * acceptances up to their clock skew, which is far below the time between two sends of one item by
 * a client (the SDK sends a span when it starts and again when it ends). Values stay below 2^53
 * until the year 2255, so they travel as JSON numbers.
 */

let last = 0;

/** Reserves `count` consecutive versions and returns the first; items take them in request order. */
export function reserveVersions(count: number): number {
  const first = Math.max(Date.now() * 1000, last + 1);
  last = first + Math.max(count, 1) - 1;
  return first;
}

/**
 * Gives rows without a version the next versions in their order (reserveVersions), then keeps
 * one row per id, the newest by `newer` (the later one on a tie; ON CONFLICT cannot touch a row
 * twice), sorted by id. Ids are compared as they will be stored (see cleanString).
 */
export function newestById<T extends { id: string; version?: number }>(rows: T[], newer: (a: T, b: T) => boolean): T[] {
  stampVersions(rows);
  const m = new Map<string, T>();
  for (const r of rows) {
    const key = cleanString(r.id);
    const kept = m.get(key);
    if (!kept || !newer(kept, r)) m.set(key, r);
  }
  return [...m.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Gives rows without a version the next versions of this process, in their order. */
export function stampVersions(rows: { version?: number }[]): void {
  if (!rows.some((r) => r.version === undefined)) return;
  let next = reserveVersions(rows.length);
  for (const r of rows) if (r.version === undefined) r.version = next++;
}

/** Span versions rank by (finished, version): a span's end outranks its own "running" start. */
type SpanRank = { finished: boolean; version: number };
/** Whether `a` ranks strictly above `b`. */
export function outranks(a: SpanRank, b: SpanRank): boolean {
  return a.finished !== b.finished ? a.finished : a.version > b.version;
}
const spanRank = (s: SpanRow): SpanRank => ({ finished: s.status !== "running", version: s.version ?? 0 });
export const newerSpan = (a: SpanRow, b: SpanRow) => outranks(spanRank(a), spanRank(b));
export const newerEvent = (a: EventRow, b: EventRow) => (a.version ?? 0) > (b.version ?? 0);
