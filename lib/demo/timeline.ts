import { AsyncLocalStorage } from "node:async_hooks";

/** Seeded random numbers (xorshift32): the same sample data on every load, only its dates move. */
export type Random = {
  next(): number;
  /** A number in [min, max). */
  between(min: number, max: number): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
};

export function seededRandom(seed: number): Random {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  return {
    next,
    between: (min, max) => min + next() * (max - min),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

/**
 * The time the SDK's `clock` option reads while the demo runs: each run is played at the moment
 * it is placed in the last days, and its calls take realistic time without anyone waiting for it.
 * `sleep` is a small discrete-event scheduler: once every runnable task is asleep (a macrotask
 * later), the one due first wakes and time jumps to its due time, so concurrent branches overlap
 * as they would have.
 */
export class Timeline {
  private ms: number;
  private lastRead = Number.NEGATIVE_INFINITY;
  private sleepers: { at: number; order: number; wake: () => void }[] = [];
  private order = 0;
  private waking = false;

  constructor(startMs: number) {
    this.ms = startMs;
  }

  /**
   * The current time, one millisecond later than the previous reading when no time passed since:
   * every stamp of a timeline is distinct, so the SDK never has to separate same-millisecond
   * siblings itself (which, with several timelines read in turn, could misplace a child by 1 ms).
   */
  readonly now = (): number => {
    if (this.ms <= this.lastRead) this.ms = this.lastRead + 1;
    this.lastRead = this.ms;
    return this.ms;
  };

  /** Starts the next run at `ms` (often earlier than where the last one ended). */
  set(ms: number): void {
    this.ms = Math.round(ms);
    this.lastRead = Number.NEGATIVE_INFINITY;
  }

  /** `ms` of work or waiting pass for the caller. */
  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.sleepers.push({ at: this.ms + Math.max(0, Math.round(ms)), order: this.order++, wake });
      this.wakeSoon();
    });
  }

  private wakeSoon(): void {
    if (this.waking) return;
    this.waking = true;
    setImmediate(() => {
      this.waking = false;
      this.sleepers.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.sleepers.shift();
      if (!next) return;
      this.ms = Math.max(this.ms, next.at);
      next.wake();
      if (this.sleepers.length > 0) this.wakeSoon();
    });
  }
}

/**
 * Several timelines played at once, each by its own group of runs, so one group generates while
 * another waits for its traces to be stored. `now` (the SDK's clock) reads the timeline of the
 * async flow that calls it, the system clock outside any.
 */
export class Timelines {
  private readonly current = new AsyncLocalStorage<Timeline>();
  readonly now = (): number => this.current.getStore()?.now() ?? Date.now();
  play<T>(timeline: Timeline, run: () => Promise<T>): Promise<T> {
    return this.current.run(timeline, async () => {
      // Start after a turn of the event loop's microtasks: the SDK's active execution, set with
      // enterWith, then belongs to this group's async flow and not to its caller's.
      await Promise.resolve();
      return run();
    });
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
