import type { OutlineSpan } from "../contracts/executions.ts";

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
  const rows: Row<S>[] = [];
  let i = 0;
  while (i < spans.length) {
    const span = spans[i];
    const hasChildren = ends[i] > i + 1;
    const isCollapsed = hasChildren && collapsed.has(span.id);
    rows.push({ span, index: i, hasChildren, collapsed: isCollapsed });
    i = isCollapsed ? ends[i] : i + 1;
  }
  return rows;
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

/** The time window of an execution: earliest start to latest end (or `now` while running). */
export function timelineBounds(spans: readonly TreeSpan[], now = Date.now()): Timeline {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    const a = Date.parse(s.startedAt);
    const b = s.endedAt ? Date.parse(s.endedAt) : now;
    if (a < start) start = a;
    if (b > end) end = b;
  }
  if (!Number.isFinite(start)) return { start: now, end: now, duration: 0 };
  return { start, end: Math.max(end, start), duration: Math.max(end - start, 0) };
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
