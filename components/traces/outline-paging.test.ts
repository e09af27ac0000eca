import { describe, expect, it } from "vitest";
import { loadRemainingSpans, type OutlinePage } from "./outline-paging";

const TOTAL = 10;
/** An outline of TOTAL spans served 3 at a time; `failAt` offsets fail once each. */
function server(failAt: number[] = []) {
  const failing = new Set(failAt);
  const calls: number[] = [];
  const fetchPage = async (offset: number): Promise<OutlinePage<number>> => {
    calls.push(offset);
    if (failing.delete(offset)) throw new Error(`page at ${offset} failed`);
    const spans = Array.from({ length: Math.min(3, TOTAL - offset) }, (_, i) => offset + i);
    return { spans, total: TOTAL, hasMore: offset + spans.length < TOTAL };
  };
  return { fetchPage, calls };
}

describe("loading the rest of a big trace", () => {
  it("reports every page until the outline is complete", async () => {
    const { fetchPage } = server();
    const reports: [number, boolean][] = [];
    let last: number[] = [];
    await loadRemainingSpans([0, 1], fetchPage, (spans, _total, complete) => {
      reports.push([spans.length, complete]);
      last = spans;
    });
    expect(reports).toEqual([
      [5, false],
      [8, false],
      [10, true],
    ]);
    expect(last).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("a failed page rejects with its error, and a retry resumes there without duplicates", async () => {
    const { fetchPage, calls } = server([5]);
    let shown: number[] = [0, 1];
    const report = (spans: number[]) => {
      shown = spans;
    };
    await expect(loadRemainingSpans(shown, fetchPage, report)).rejects.toThrow("page at 5 failed");
    expect(shown).toEqual([0, 1, 2, 3, 4]);
    await loadRemainingSpans(shown, fetchPage, report);
    expect(shown).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(calls).toEqual([2, 5, 5, 8]);
  });

  it("stops without reporting once cancelled", async () => {
    const { fetchPage } = server();
    let reports = 0;
    await loadRemainingSpans(
      [0],
      fetchPage,
      () => reports++,
      () => true,
    );
    expect(reports).toBe(0);
  });
});
