/**
 * Long CPU work on a server's one JavaScript thread, done in slices: between slices the event loop
 * runs (other requests, health checks, database replies). A slice ends after `units` units of work
 * (nodes, spans, chunks: a bound that holds on any machine) or after `ms` milliseconds, whichever
 * comes first (a bound on a slow or busy machine, where each unit costs more).
 */
export type Slicer = {
  /**
   * Counts `units` of work done: null within a slice; at its end, a promise that resolves after a
   * turn of the event loop (`const turn = s.step(); if (turn) await turn;` costs no await per unit).
   */
  step(units?: number): Promise<void> | null;
  /** Slices ended so far (each one a turn of the event loop). */
  readonly yields: number;
};

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function slicer({ units, ms }: { units: number; ms: number }): Slicer {
  let done = 0;
  let started = performance.now();
  let yields = 0;
  return {
    step(n = 1) {
      done += n;
      if (done < units && performance.now() - started < ms) return null;
      yields++;
      return nextTurn().then(() => {
        done = 0;
        started = performance.now();
      });
    },
    get yields() {
      return yields;
    },
  };
}

/**
 * Runs a generator that yields once per unit of work to its end, in slices (`slices.step()` per
 * yield), and returns what it returns. Each yielded value goes to `onValue` first.
 */
export async function runSliced<T, R>(
  work: Generator<T, R>,
  slices: Slicer,
  onValue?: (value: T) => Promise<void> | void,
): Promise<R> {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
    const pending = onValue?.(next.value);
    if (pending) await pending;
    const turn = slices.step();
    if (turn) await turn;
  }
}

/** Runs a generator of work to its end at once (callers that hold no server thread, and tests). */
export function runAtOnce<T, R>(work: Generator<T, R>, onValue?: (value: T) => void): R {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
    onValue?.(next.value);
  }
}
