import type { OutlineSpan } from "@/lib/contracts/executions";

/**
 * Pure logic of the trace view: visible rows of a depth-first span list under collapsed nodes,
 * timeline geometry, and search. Rendering lives in components/traces.
 */

export type TreeSpan = Pick<
  OutlineSpan,
  "id" | "parentId" | "depth" | "type" | "name" | "stepType" | "startedAt" | "endedAt"
> & { status: string };

export type Row<S extends TreeSpan = TreeSpan> = { span: S; index: number; hasChildren: boolean; collapsed: boolean };

/** Index of each span's subtree end in depth-first order: span i's descendants are (i, end[i]). */
export function subtreeEnds(spans: readonly TreeSpan[]): Int32Array {
  const end = new Int32Array(spans.length);
  const stack: number[] = [];
  for (let i = 0; i < spans.length; i++) {
    while (stack.length && spans[stack[stack.length - 1]].depth >= spans[i].depth) end[stack.pop()!] = i;
    stack.push(i);
  }
  while (stack.length) end[stack.pop()!] = spans.length;
  return end;
}

/** Rows left visible when the spans in `collapsed` hide their descendants. O(visible + collapsed). */
export function visibleRows<S extends TreeSpan>(
  spans: readonly S[],
  collapsed: ReadonlySet<string>,
  ends = subtreeEnds(spans),
): Row<S>[] {
  return Array.from(visibleIndexes(spans, collapsed, ends), (i) => rowAt(spans, collapsed, ends, i));
}

/**
 * The span indexes of the visible rows, ascending: no object per row, so a 100,000-span tree
 * costs one typed array when a page of spans arrives (rows are made for the ones on screen).
 */
export function visibleIndexes(
  spans: readonly TreeSpan[],
  collapsed: ReadonlySet<string>,
  ends = subtreeEnds(spans),
): Int32Array {
  const out = new Int32Array(spans.length);
  let n = 0;
  let i = 0;
  while (i < spans.length) {
    out[n++] = i;
    i = collapsed.size > 0 && ends[i] > i + 1 && collapsed.has(spans[i].id) ? ends[i] : i + 1;
  }
  return out.subarray(0, n);
}

/** The row of span `index`. */
export function rowAt<S extends TreeSpan>(
  spans: readonly S[],
  collapsed: ReadonlySet<string>,
  ends: Int32Array,
  index: number,
): Row<S> {
  const hasChildren = ends[index] > index + 1;
  return { span: spans[index], index, hasChildren, collapsed: hasChildren && collapsed.has(spans[index].id) };
}

/** Position of span `index` among the visible rows (binary search), or -1 when it is folded away. */
export function rowOfSpan(visible: Int32Array, index: number): number {
  let lo = 0;
  let hi = visible.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (visible[mid] === index) return mid;
    if (visible[mid] < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Index of the parent of span `index` in depth-first order (the nearest shallower span before it), or -1. */
export function parentIndex(spans: readonly TreeSpan[], index: number): number {
  const depth = spans[index]?.depth ?? 0;
  for (let i = index - 1; i >= 0; i--) if (spans[i].depth < depth) return i;
  return -1;
}

/**
 * Span index by id for a list that grows by pages appended at its end (the explorer's loading):
 * each new list only adds its new spans; any other change rebuilds it.
 */
export class SpanIndex {
  private list: readonly TreeSpan[] = [];
  private readonly byId = new Map<string, number>();

  /** Brings the index up to `spans` (idempotent) and returns it. */
  update(spans: readonly TreeSpan[]): this {
    const prev = this.list;
    const appended =
      prev.length <= spans.length &&
      (prev.length === 0 || (spans[0] === prev[0] && spans[prev.length - 1] === prev[prev.length - 1]));
    if (!appended) this.byId.clear();
    for (let i = appended ? prev.length : 0; i < spans.length; i++) this.byId.set(spans[i].id, i);
    this.list = spans;
    return this;
  }

  get(id: string): number | undefined {
    return this.byId.get(id);
  }
}

/** Ids of the ancestors of span `index` (so a search hit inside a folded subtree can be revealed). */
export function ancestorIds(spans: readonly TreeSpan[], index: number): string[] {
  const out: string[] = [];
  let depth = spans[index]?.depth ?? 0;
  for (let i = index - 1; i >= 0 && depth > 0; i--) {
    if (spans[i].depth < depth) {
      out.push(spans[i].id);
      depth = spans[i].depth;
    }
  }
  return out;
}

export type Timeline = { start: number; end: number; duration: number };

/** Earliest start, latest end, and whether a span is still open (its end is "now"). */
export type TimeExtent = { start: number; end: number; open: boolean };

/** The `toISOString()` form (fixed width, UTC), whose string order is time order. */
const isIsoUtc = (s: string) => s.length === 24 && s.charCodeAt(23) === 90 && s.charCodeAt(10) === 84;

/**
 * The time extent of the spans. Timestamps from the API are `toISOString()` strings, compared as
 * strings (a 100,000-span tree parses two dates instead of 200,000); any other form is parsed.
 */
export function timeExtent(spans: readonly TreeSpan[]): TimeExtent {
  let minStart: string | null = null;
  let maxEnd: string | null = null;
  let open = false;
  let uniform = true;
  for (const s of spans) {
    if (!isIsoUtc(s.startedAt) || (s.endedAt !== null && !isIsoUtc(s.endedAt))) {
      uniform = false;
      break;
    }
    if (minStart === null || s.startedAt < minStart) minStart = s.startedAt;
    if (s.endedAt === null) open = true;
    else if (maxEnd === null || s.endedAt > maxEnd) maxEnd = s.endedAt;
  }
  if (uniform)
    return {
      start: minStart === null ? Number.NaN : Date.parse(minStart),
      end: maxEnd === null ? Number.NEGATIVE_INFINITY : Date.parse(maxEnd),
      open,
    };
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    start = Math.min(start, Date.parse(s.startedAt));
    if (s.endedAt === null) open = true;
    else end = Math.max(end, Date.parse(s.endedAt));
  }
  return { start: Number.isFinite(start) ? start : Number.NaN, end, open };
}

/** The time window of an execution: earliest start to latest end (or `now` while a span runs). */
export function timelineBounds(spans: readonly TreeSpan[] | TimeExtent, now = Date.now()): Timeline {
  const x = Array.isArray(spans) ? timeExtent(spans) : (spans as TimeExtent);
  if (Number.isNaN(x.start)) return { start: now, end: now, duration: 0 };
  const end = x.open ? Math.max(x.end, now) : x.end;
  return { start: x.start, end: Math.max(end, x.start), duration: Math.max(end - x.start, 0) };
}

/** A span's bar as fractions of the timeline (min width so instant spans stay visible). */
export function barGeometry(span: TreeSpan, t: Timeline, now = Date.now()): { left: number; width: number } {
  if (t.duration === 0) return { left: 0, width: 1 };
  const a = Date.parse(span.startedAt);
  const b = span.endedAt ? Date.parse(span.endedAt) : now;
  const left = Math.min(Math.max((a - t.start) / t.duration, 0), 1);
  const width = Math.max((Math.max(b, a) - a) / t.duration, 0.002);
  return { left, width: Math.min(width, 1 - left || 0.002) };
}

/**
 * Where a bar's duration label goes, as CSS offsets in percent of the waterfall cell: after the bar
 * when the label fits there, else before it, else inside the bar's right end (a bar spanning the
 * whole timeline). A label is about `labelWidth` of the cell; it never crosses the cell's edge, so it
 * never wraps or gets cut.
 */
export function durationLabelPlacement(
  bar: { left: number; width: number },
  labelWidth = 0.25,
): { side: "after" | "before" | "inside"; left?: number; right?: number } {
  const end = bar.left + bar.width;
  const gap = 0.005;
  if (end + gap + labelWidth <= 1) return { side: "after", left: (end + gap) * 100 };
  if (bar.left - gap - labelWidth >= 0) return { side: "before", right: (1 - bar.left + gap) * 100 };
  return { side: "inside", right: Math.max(1 - end, 0) * 100 + gap * 100 };
}

/** Indexes of spans whose name, type or step type contains `query` (case-insensitive). */
export function searchSpans(spans: readonly TreeSpan[], query: string): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: number[] = [];
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    if (s.name.toLowerCase().includes(q) || s.type.toLowerCase().includes(q) || s.stepType?.toLowerCase().includes(q))
      hits.push(i);
  }
  return hits;
}

/** Splits `text` around case-insensitive matches of `query`, for highlighting as text nodes. */
export function highlightParts(text: string, query: string): { text: string; match: boolean }[] {
  const q = query.trim().toLowerCase();
  if (!q) return [{ text, match: false }];
  const parts: { text: string; match: boolean }[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(q); at !== -1; at = lower.indexOf(q, from)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false });
    parts.push({ text: text.slice(at, at + q.length), match: true });
    from = at + q.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), match: false });
  return parts;
}
