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
