import { describe, expect, it } from "vitest";
import {
  ancestorIds,
  barGeometry,
  durationLabelPlacement,
  highlightParts,
  parentIndex,
  rowOfSpan,
  SpanIndex,
  searchSpans,
  subtreeEnds,
  type TreeSpan,
  timeExtent,
  timelineBounds,
  visibleIndexes,
  visibleRows,
} from "./tree";

const T = Date.parse("2026-01-01T00:00:00Z");
function s(
  id: string,
  depth: number,
  parentId: string | null,
  start = 0,
  end: number | null = start + 10,
  type = "log",
): TreeSpan {
  return {
    id,
    depth,
    parentId,
    type,
    name: `span ${id}`,
    stepType: null,
    status: "success",
    startedAt: new Date(T + start).toISOString(),
    endedAt: end === null ? null : new Date(T + end).toISOString(),
  };
}
// root > a > (a1, a2), root > b > b1
const spans = [
  s("root", 0, null, 0, 100),
  s("a", 1, "root", 10, 50),
  s("a1", 2, "a", 10, 20),
  s("a2", 2, "a", 20, 50),
  s("b", 1, "root", 60, 100),
  s("b1", 2, "b", 60, 61),
];

describe("trace tree", () => {
  it("knows each subtree's extent", () => {
    expect([...subtreeEnds(spans)]).toEqual([6, 4, 3, 4, 6, 6]);
  });

  it("hides the descendants of collapsed spans only", () => {
    expect(visibleRows(spans, new Set()).map((r) => r.span.id)).toEqual(["root", "a", "a1", "a2", "b", "b1"]);
    const rows = visibleRows(spans, new Set(["a"]));
    expect(rows.map((r) => r.span.id)).toEqual(["root", "a", "b", "b1"]);
    expect(rows[1]).toMatchObject({ hasChildren: true, collapsed: true, index: 1 });
    expect(visibleRows(spans, new Set(["root"])).map((r) => r.span.id)).toEqual(["root"]);
    // Collapsing a leaf changes nothing.
    expect(visibleRows(spans, new Set(["a1"])).map((r) => r.span.id)).toHaveLength(6);
  });

  it("keeps visible rows as span indexes, and finds a span's row and parent", () => {
    const visible = visibleIndexes(spans, new Set(["a"]));
    expect([...visible]).toEqual([0, 1, 4, 5]);
    expect(rowOfSpan(visible, 4)).toBe(2);
    expect(rowOfSpan(visible, 2)).toBe(-1); // folded away
    expect([...visibleIndexes(spans, new Set())]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(spans.map((_, i) => parentIndex(spans, i))).toEqual([-1, 0, 1, 1, 0, 4]);
  });

  it("indexes spans by id as pages are appended, and rebuilds on any other change", () => {
    const index = new SpanIndex();
    const first = spans.slice(0, 3);
    expect(index.update(first).get("a1")).toBe(2);
    const more = first.concat(spans.slice(3));
    expect(index.update(more).get("b1")).toBe(5);
    expect(index.update(more).get("root")).toBe(0); // idempotent
    const refetched = [s("x", 0, null), s("root", 1, "x")];
    expect(index.update(refetched).get("root")).toBe(1);
    expect(index.get("b1")).toBeUndefined();
  });

  it("finds the ancestors of a span to reveal it", () => {
    expect(ancestorIds(spans, 3)).toEqual(["a", "root"]);
    expect(ancestorIds(spans, 0)).toEqual([]);
  });

  it("lays bars on the execution's time window", () => {
    const t = timelineBounds(spans);
    expect(t.duration).toBe(100);
    expect(barGeometry(spans[1], t)).toEqual({ left: 0.1, width: 0.4 });
    expect(barGeometry(spans[5], t).width).toBeCloseTo(0.01);
    const running = s("r", 0, null, 0, null);
    expect(timelineBounds([running], T + 500).duration).toBe(500);
    expect(timelineBounds([], T)).toEqual({ start: T, end: T, duration: 0 });
    // Other timestamp forms are parsed: the same extent as their ISO equivalents.
    const offsets = spans.map((x) => ({
      ...x,
      startedAt: new Date(Date.parse(x.startedAt)).toUTCString().replace("GMT", "+0000"),
    }));
    offsets[5] = { ...offsets[5], startedAt: "2025-12-31T21:00:00.000-03:00" }; // = T
    expect(timeExtent(offsets)).toEqual({ start: T, end: T + 100, open: false });
    expect(timeExtent(spans)).toEqual({ start: T, end: T + 100, open: false });
  });

  it("places a duration label where it fits whole: after the bar, before it, or inside it", () => {
    const early = durationLabelPlacement({ left: 0.1, width: 0.2 });
    expect(early.side).toBe("after");
    expect(early.left).toBeCloseTo(30.5);
    // A bar ending near the right edge: the label goes before it.
    const late = durationLabelPlacement({ left: 0.6, width: 0.35 });
    expect(late.side).toBe("before");
    expect(late.right).toBeCloseTo(40.5);
    // A bar across the whole timeline (the root span): inside its right end, within the cell.
    const whole = durationLabelPlacement({ left: 0, width: 1 });
    expect(whole.side).toBe("inside");
    expect(whole.right).toBeCloseTo(0.5);
    expect(durationLabelPlacement({ left: 0.05, width: 0.9 }).side).toBe("inside");
  });

  it("searches names and types and highlights matches as text", () => {
    expect(searchSpans(spans, "SPAN A")).toEqual([1, 2, 3]);
    expect(searchSpans(spans, "  ")).toEqual([]);
    expect(highlightParts("<b>Verify</b> verify", "verify")).toEqual([
      { text: "<b>", match: false },
      { text: "Verify", match: true },
      { text: "</b> ", match: false },
      { text: "verify", match: true },
    ]);
  });

  it("folds a 100,000-span trace to its root", () => {
    const big: TreeSpan[] = [s("r", 0, null)];
    for (let i = 1; i < 100_000; i++) big.push(s(`n${i}`, 1 + (i % 3), null));
    expect(visibleRows(big, new Set(["r"]))).toHaveLength(1);
    expect(visibleRows(big, new Set())).toHaveLength(100_000);
  });
});
