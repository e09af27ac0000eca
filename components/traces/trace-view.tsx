"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { ChevronDown, ChevronRight, ChevronsDownUp, ChevronsUpDown, Search } from "lucide-react";
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { OutlineSpan } from "@/lib/contracts/executions";
import { formatDuration } from "@/lib/format";
import { cn } from "../ui/cn";
import { spanStyle } from "./span-style";
import {
  ancestorIds,
  barGeometry,
  durationLabelPlacement,
  highlightParts,
  parentIndex,
  rowAt,
  rowOfSpan,
  SpanIndex,
  searchSpans,
  subtreeEnds,
  timeExtent,
  timelineBounds,
  visibleIndexes,
} from "./tree";

const ROW_HEIGHT = 28;

type Props = {
  spans: OutlineSpan[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** Enter on a row, or a click: show its details. */
  onOpen: (id: string) => void;
  onClose: () => void;
  running: boolean;
  /** Take keyboard focus when mounted, so j/k, h/l, Enter and / work at once (the execution page). */
  autoFocus?: boolean;
};

/**
 * The trace tree with its waterfall, row by row, virtualised: only the rows on screen are in the
 * DOM, so 100,000 spans scroll like 100. Keyboard: j/k or arrows move, h/l or left/right fold,
 * Enter opens, / searches, Esc closes the details.
 */
export function TraceView({ spans, selectedId, onSelect, onOpen, onClose, running, autoFocus = false }: Props) {
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [query, setQuery] = useState("");
  const [matchCursor, setMatchCursor] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (autoFocus) scrollRef.current?.focus({ preventScroll: true });
  }, [autoFocus]);

  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);

  // Everything derived from the spans is linear at most, without an object per span: while a
  // 100,000-span execution loads, each arriving page recomputes it.
  const ends = useMemo(() => subtreeEnds(spans), [spans]);
  const visible = useMemo(() => visibleIndexes(spans, collapsed, ends), [spans, collapsed, ends]);
  const extent = useMemo(() => timeExtent(spans), [spans]);
  const timeline = useMemo(() => timelineBounds(extent, now), [extent, now]);
  const matches = useMemo(() => searchSpans(spans, query), [spans, query]);
  const matchSet = useMemo(() => new Set(matches.map((i) => spans[i].id)), [matches, spans]);
  const [spanIndex] = useState(() => new SpanIndex());
  const spanIndexById = useMemo(() => spanIndex.update(spans), [spanIndex, spans]);
  const rowAtIndex = (r: number) => rowAt(spans, collapsed, ends, visible[r]);

  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  const selectedSpan = selectedId ? spanIndexById.get(selectedId) : undefined;
  const selectedPos = selectedSpan === undefined ? -1 : rowOfSpan(visible, selectedSpan);
  const selectedRow = selectedPos >= 0 ? selectedPos : undefined;
  useEffect(() => {
    if (selectedRow !== undefined) virtualizer.scrollToIndex(selectedRow, { align: "auto" });
  }, [selectedRow, virtualizer]);

  const toggle = useCallback((id: string, open?: boolean) => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      const isCollapsed = next.has(id);
      if (open === true || (open === undefined && isCollapsed)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const reveal = useCallback(
    (spanIndex: number) => {
      const hidden = ancestorIds(spans, spanIndex).filter((id) => collapsed.has(id));
      if (hidden.length) setCollapsed((prev) => new Set([...prev].filter((id) => !hidden.includes(id))));
      onSelect(spans[spanIndex].id);
    },
    [spans, collapsed, onSelect],
  );

  function goToMatch(step: number) {
    if (!matches.length) return;
    const next = (matchCursor + step + matches.length) % matches.length;
    setMatchCursor(next);
    reveal(matches[next]);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.target instanceof HTMLInputElement) return;
    const current = selectedRow ?? -1;
    const row = current >= 0 && current < visible.length ? rowAtIndex(current) : undefined;
    const move = (to: number) => {
      if (visible.length > 0) onSelect(spans[visible[Math.max(0, Math.min(visible.length - 1, to))]].id);
    };
    switch (e.key) {
      case "ArrowDown":
      case "j":
        move(current + 1);
        break;
      case "ArrowUp":
      case "k":
        move(current < 0 ? 0 : current - 1);
        break;
      case "ArrowLeft":
      case "h":
        if (row?.hasChildren && !row.collapsed) toggle(row.span.id, false);
        else if (row && parentIndex(spans, row.index) >= 0) onSelect(spans[parentIndex(spans, row.index)].id);
        break;
      case "ArrowRight":
      case "l":
        if (row?.collapsed) toggle(row.span.id, true);
        else if (row?.hasChildren) move(current + 1);
        break;
      case "Enter":
        if (row) onOpen(row.span.id);
        break;
      case "Escape":
        onClose();
        break;
      case "/":
        searchRef.current?.focus();
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  return (
    <div className="flex h-full flex-col">
      <div className="flex flex-wrap items-center gap-2 border-b border-zinc-200 p-2 dark:border-zinc-800">
        <label className="relative min-w-48 flex-1">
          <span className="sr-only">Search in this trace</span>
          <Search className="pointer-events-none absolute top-2 left-2 size-4 text-zinc-400" aria-hidden="true" />
          <input
            ref={searchRef}
            type="search"
            value={query}
            placeholder="Search spans (/)"
            onChange={(e) => {
              setQuery(e.target.value);
              setMatchCursor(0);
              const hits = searchSpans(spans, e.target.value);
              if (hits.length) reveal(hits[0]);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") goToMatch(e.shiftKey ? -1 : 1);
              if (e.key === "Escape") scrollRef.current?.focus();
            }}
            className="w-full rounded-md border border-zinc-300 bg-white py-1.5 pr-2 pl-8 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        {query && (
          <span className="text-xs text-zinc-500" aria-live="polite">
            {matches.length ? `${matchCursor + 1} of ${matches.length}` : "no match"}
          </span>
        )}
        <button
          type="button"
          className="rounded p-1.5 hover:bg-zinc-100 dark:hover:bg-zinc-800"
          title="Expand all"
          aria-label="Expand all"
          onClick={() => setCollapsed(new Set())}
        >
          <ChevronsUpDown className="size-4" />
        </button>
        <button
          type="button"
          className="rounded p-1.5 hover:bg-zinc-100 dark:hover:bg-zinc-800"
          title="Collapse all"
          aria-label="Collapse all"
          onClick={() => setCollapsed(new Set(spans.filter((_, i) => ends[i] > i + 1).map((s) => s.id)))}
        >
          <ChevronsDownUp className="size-4" />
        </button>
        <span className="text-xs text-zinc-500 tabular-nums">{spans.length.toLocaleString("en-US")} spans</span>
      </div>
      <div className="grid grid-cols-[minmax(0,1fr)_minmax(0,1fr)] border-b border-zinc-200 px-2 py-1 text-xs text-zinc-500 dark:border-zinc-800">
        <span>Span</span>
        <span className="flex justify-between">
          <span>0</span>
          <span>{formatDuration(timeline.duration)}</span>
        </span>
      </div>
      <div
        ref={scrollRef}
        role="tree"
        aria-label="Trace"
        tabIndex={0}
        onKeyDown={onKeyDown}
        className="relative min-h-0 flex-1 overflow-auto outline-none"
        data-testid="trace-tree"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((v) => {
            const row = rowAtIndex(v.index);
            const s = row.span;
            const style = spanStyle(s.type, s.stepType);
            const Icon = style.icon;
            const bar = barGeometry(s, timeline, now);
            const selected = s.id === selectedId;
            const duration = s.endedAt
              ? Date.parse(s.endedAt) - Date.parse(s.startedAt)
              : now - Date.parse(s.startedAt);
            const label = durationLabelPlacement(bar);
            return (
              // biome-ignore lint/a11y/useFocusableInteractive: the tree container holds focus and moves the selection (aria tree pattern)
              // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled once on the tree container
              <div
                key={s.id}
                role="treeitem"
                aria-selected={selected}
                aria-expanded={row.hasChildren ? !row.collapsed : undefined}
                aria-level={s.depth + 1}
                data-span-id={s.id}
                onClick={() => {
                  onSelect(s.id);
                  onOpen(s.id);
                }}
                className={cn(
                  "absolute left-0 grid w-full cursor-pointer grid-cols-[minmax(0,1fr)_minmax(0,1fr)] items-center px-2 text-sm",
                  selected ? "bg-indigo-50 dark:bg-indigo-950" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/60",
                  matchSet.has(s.id) && !selected && "bg-amber-50 dark:bg-amber-950/40",
                )}
                style={{ top: v.start, height: ROW_HEIGHT }}
              >
                <div className="flex min-w-0 items-center gap-1" style={{ paddingLeft: Math.min(s.depth, 40) * 14 }}>
                  {row.hasChildren ? (
                    <button
                      type="button"
                      tabIndex={-1}
                      aria-label={row.collapsed ? "Expand" : "Collapse"}
                      className="rounded hover:bg-zinc-200 dark:hover:bg-zinc-700"
                      onClick={(e) => {
                        e.stopPropagation();
                        toggle(s.id);
                      }}
                    >
                      {row.collapsed ? <ChevronRight className="size-3.5" /> : <ChevronDown className="size-3.5" />}
                    </button>
                  ) : (
                    <span className="w-3.5" />
                  )}
                  <Icon className={cn("size-3.5 shrink-0", style.text)} aria-hidden="true" />
                  <span className={cn("shrink-0 text-[11px] font-medium", style.text)}>{style.label}</span>
                  <span className="truncate" title={s.name}>
                    {highlightParts(s.name, query).map((p, i) =>
                      p.match ? (
                        // biome-ignore lint/suspicious/noArrayIndexKey: parts are positional
                        <mark key={i} className="rounded bg-amber-200 text-inherit dark:bg-amber-700">
                          {p.text}
                        </mark>
                      ) : (
                        // biome-ignore lint/suspicious/noArrayIndexKey: parts are positional
                        <span key={i}>{p.text}</span>
                      ),
                    )}
                  </span>
                  {s.status === "error" && <span className="size-1.5 shrink-0 rounded-full bg-red-500" title="error" />}
                </div>
                <div className="relative h-3.5">
                  <div
                    className={cn(
                      "absolute top-0 h-full rounded-sm",
                      s.status === "error" ? "bg-red-500" : style.bar,
                      !s.endedAt && "animate-pulse",
                    )}
                    style={{ left: `${bar.left * 100}%`, width: `${bar.width * 100}%` }}
                  />
                  <span
                    data-testid="span-duration"
                    className={cn(
                      "absolute top-0 text-[10px] leading-[14px] whitespace-nowrap text-zinc-500 tabular-nums",
                      label.side === "inside" &&
                        "rounded-sm bg-white/85 px-0.5 text-zinc-700 dark:bg-zinc-900/85 dark:text-zinc-300",
                    )}
                    style={label.left === undefined ? { right: `${label.right}%` } : { left: `${label.left}%` }}
                  >
                    {formatDuration(duration)}
                  </span>
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
