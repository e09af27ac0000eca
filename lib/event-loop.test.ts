import { describe, expect, it } from "vitest";
import { runAtOnce, runSliced, slicer } from "./event-loop.ts";

function* steps(n: number, done: { count: number }): Generator<number, string> {
  for (let i = 0; i < n; i++) {
    done.count++;
    yield i;
  }
  return "end";
}

describe("runSliced", () => {
  it("lets the event loop turn after every `units` steps, and returns the work's result", async () => {
    const done = { count: 0 };
    // Steps done when each turn of the loop comes: the work may not run more than 100 between two.
    const seenAtTurns: number[] = [];
    let running = true;
    const turn = () => {
      seenAtTurns.push(done.count);
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    const slices = slicer({ units: 100, ms: Number.POSITIVE_INFINITY });
    const values: number[] = [];
    const result = await runSliced(steps(1_000, done), slices, (v) => {
      values.push(v);
    });
    running = false;
    expect(result).toBe("end");
    expect(values).toEqual([...Array(1_000).keys()]);
    expect(slices.yields).toBe(10);
    const gaps = seenAtTurns.slice(1).map((n, i) => n - seenAtTurns[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(100);
  });

  it("waits for a value's work before the next step", async () => {
    const order: string[] = [];
    await runSliced(steps(3, { count: 0 }), slicer({ units: 10, ms: 1_000 }), async (v) => {
      await new Promise((r) => setImmediate(r));
      order.push(`value ${v}`);
    });
    expect(order).toEqual(["value 0", "value 1", "value 2"]);
  });
});

describe("runAtOnce", () => {
  it("runs the work to its end without turning the loop", () => {
    const values: number[] = [];
    expect(runAtOnce(steps(5, { count: 0 }), (v) => values.push(v))).toBe("end");
    expect(values).toEqual([0, 1, 2, 3, 4]);
  });
});
