"use client";

import "react-grid-layout/css/styles.css";
import "react-resizable/css/styles.css";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { BarChart3, Copy, GripVertical, Pencil, Plus, Trash2 } from "lucide-react";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { getBreakpointFromWidth, type Layout, ResponsiveGridLayout, useContainerWidth } from "react-grid-layout";
import { useLiveNotices } from "@/components/live/use-live-notices";
import { api } from "@/lib/client/api";
import type { Card as MetricCard } from "@/lib/contracts/metrics";
import { Button } from "../ui/button";
import { Alert, Card, EmptyState } from "../ui/card";
import { cn } from "../ui/cn";
import { CardGridSkeleton } from "../ui/skeleton";
import { CardBuilder, type CardDraft } from "./card-builder";
import { cardUnit } from "./card-format";
import { CardView } from "./card-view";
import { BREAKPOINTS, COLS, responsiveLayouts } from "./grid";
import { metricKeys } from "./queries";
import { rangeLabel } from "./range";

type Props = {
  agents: string[];
  agent: string | null;
  /** An agent the URL names that has no business events (and whether it exists at all). */
  without?: { name: string; exists: boolean } | null;
  canEdit: boolean;
};

const MARGIN = [12, 12] as const;

/** The Metrics tab of an agent: KPI cards on a drag-and-resize grid, refreshed live. */
export function MetricsDashboard({ agents, agent, without, canEdit }: Props) {
  const queryClient = useQueryClient();
  const { width, containerRef, mounted } = useContainerWidth({ measureBeforeMount: true });
  // Cards are moved and resized on the saved 12-column layout only.
  const arranging = canEdit && getBreakpointFromWidth(BREAKPOINTS, width) === "lg";
  const [builder, setBuilder] = useState<{ card?: MetricCard } | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  // Set in the browser only: a time rendered on the server would not match the browser's render.
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const catalog = useQuery({
    queryKey: metricKeys.catalog(agent),
    queryFn: () => api.request("GET /api/v1/metrics/catalog", { query: { agent: agent! } }),
    enabled: !!agent,
  });
  /** Sum and avg over a property that also holds non-numbers: the card says those are ignored. */
  const mixedNumeric = (c: { query: { aggregation?: string; event?: string; property?: string } }) =>
    (c.query.aggregation === "sum" || c.query.aggregation === "avg") &&
    catalog.data?.events
      .find((e) => e.name === c.query.event)
      ?.properties.some((p) => p.key === c.query.property && p.type === "mixed") === true;
  const cards = useQuery({
    queryKey: metricKeys.cards(agent),
    queryFn: () => api.request("GET /api/v1/metrics/cards", { query: { agent: agent! } }),
    enabled: !!agent,
  });
  const refreshCards = () => queryClient.invalidateQueries({ queryKey: metricKeys.cards(agent) });
  const save = useMutation({
    mutationFn: ({ draft, id }: { draft: CardDraft; id?: string }) => {
      // A card without a colour (one made through the API) has color null, which the cards API
      // refuses: leaving it out keeps the card's colour as it is.
      const fields = { ...draft, color: draft.color ?? undefined };
      return id
        ? api.request("PATCH /api/v1/metrics/cards/[id]", { params: { id }, body: fields })
        : api.request("POST /api/v1/metrics/cards", { body: { ...fields, agent: agent! } });
    },
    onSuccess: () => {
      setBuilder(null);
      void refreshCards();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.request("DELETE /api/v1/metrics/cards/[id]", { params: { id } }),
    onSuccess: refreshCards,
  });
  const saveLayout = useMutation({
    mutationFn: (layout: { id: string; x: number; y: number; w: number; h: number }[]) =>
      api.request("PUT /api/v1/metrics/cards/layout", { body: { agent: agent!, layout } }),
    // What was saved is what the grid shows: later moves compare against it.
    onSuccess: (saved) => queryClient.setQueryData(metricKeys.cards(agent), saved),
  });

  // New events of this workspace refresh every card (at most once a second) and say when.
  const lastRefresh = useRef(0);
  useLiveNotices(
    useCallback(
      (n) => {
        if (n.kind !== "events" || Date.now() - lastRefresh.current < 1000) return;
        lastRefresh.current = Date.now();
        setRefreshKey((k) => k + 1);
        setUpdatedAt(new Date());
        void queryClient.invalidateQueries({ queryKey: metricKeys.catalog(agent) });
      },
      [agent, queryClient],
    ),
  );
  const loadedAt = cards.dataUpdatedAt;
  useEffect(() => {
    if (loadedAt) setUpdatedAt(new Date(loadedAt));
  }, [loadedAt]);

  const onLayoutChange = (layout: Layout) => {
    if (!arranging) return;
    const saved = new Map((cards.data?.cards ?? []).map((c) => [c.id, c.layout]));
    const changed = layout.filter((l) => {
      const s = saved.get(l.i);
      return s && (s.x !== l.x || s.y !== l.y || s.w !== l.w || s.h !== l.h);
    });
    if (changed.length) saveLayout.mutate(layout.map((l) => ({ id: l.i, x: l.x, y: l.y, w: l.w, h: l.h })));
  };

  const agentLinks = (
    <nav aria-label="Agents" className="flex flex-wrap gap-1">
      {agents.map((a) => (
        <Link
          key={a}
          href={`/metrics?agent=${encodeURIComponent(a)}`}
          aria-current={a === agent ? "page" : undefined}
          className={cn(
            "rounded-md px-2.5 py-1 text-sm",
            a === agent
              ? "bg-indigo-600 text-white"
              : "bg-white text-zinc-700 hover:bg-zinc-100 dark:bg-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800",
          )}
        >
          {a}
        </Link>
      ))}
    </nav>
  );
  const howToSend = (
    <>
      Send events with <code className="font-mono">track("order_placed", {"{ amount: 42 }"})</code> from the SDK, or
      POST them to <code className="font-mono">/api/v1/runtime/v1/observability/events</code>. Names and properties are
      discovered automatically.
    </>
  );

  if (without) {
    return (
      <div className="space-y-3" data-testid="metrics-empty">
        {agentLinks}
        <EmptyState
          icon={<BarChart3 className="size-8" />}
          title={without.exists ? `${without.name} has not sent business events yet` : `No agent named ${without.name}`}
        >
          <p>
            {without.exists
              ? "Its executions are in the explorer, but metric cards are built over business events, and it has sent none. "
              : "An agent appears once it sends a trace or an event. "}
            {howToSend}
          </p>
          {agents.length > 0 && <p className="mt-2">Or pick an agent above whose events already have a Metrics tab.</p>}
        </EmptyState>
      </div>
    );
  }
  if (agents.length === 0 || !agent) {
    return (
      <EmptyState icon={<BarChart3 className="size-8" />} title="No business events yet">
        {howToSend}
      </EmptyState>
    );
  }

  const list = cards.data?.cards ?? [];
  // Saved at 12 columns; tablets and phones see it reflowed (components/metrics/grid.ts).
  const layouts = responsiveLayouts(list.map((c) => ({ i: c.id, ...c.layout, minW: 2, minH: 2 })));
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        {agentLinks}
        <span className="ml-auto text-xs text-zinc-600 dark:text-zinc-400" data-testid="updated-at">
          {updatedAt && `Updated ${updatedAt.toLocaleTimeString()}`}
        </span>
        {canEdit && (
          <Button size="sm" onClick={() => setBuilder({})} disabled={!catalog.data?.events.length}>
            <Plus className="size-4" /> Add card
          </Button>
        )}
      </div>
      {save.isError && <Alert>{save.error.message}</Alert>}
      {catalog.data && catalog.data.events.length === 0 && (
        <Alert tone="info">This agent has no business events yet: cards appear once it sends track() events.</Alert>
      )}
      {cards.isPending && <CardGridSkeleton label="Loading cards" />}
      {cards.isSuccess && list.length === 0 && catalog.data?.events.length ? (
        <EmptyState icon={<BarChart3 className="size-8" />} title="No cards yet">
          Add a Number, Rate, Line, Bar or Pie card, or a live feed, over this agent's events.
        </EmptyState>
      ) : null}
      <div
        ref={containerRef}
        className="[&_.react-grid-placeholder]:rounded-lg! [&_.react-grid-placeholder]:bg-indigo-400! dark:[&_.react-resizable-handle]:invert"
      >
        {mounted && list.length > 0 && (
          <ResponsiveGridLayout
            width={width}
            breakpoints={BREAKPOINTS}
            cols={COLS}
            layouts={layouts}
            rowHeight={40}
            margin={MARGIN}
            dragConfig={{ enabled: arranging, handle: ".card-drag" }}
            resizeConfig={{ enabled: arranging }}
            onLayoutChange={onLayoutChange}
          >
            {list.map((c) => {
              const unit = cardUnit(c);
              const meta = `${rangeLabel(c)}${unit ? ` · ${unit}` : ""}`;
              return (
                <div key={c.id} data-testid="metric-card" data-card-title={c.title}>
                  <Card className="flex h-full flex-col overflow-hidden">
                    <header className="flex items-start gap-1 border-b border-zinc-100 px-2 py-1.5 dark:border-zinc-800">
                      {arranging && (
                        <GripVertical
                          className="card-drag mt-0.5 size-4 shrink-0 cursor-move text-zinc-500 dark:text-zinc-400"
                          aria-label="Drag to move"
                        />
                      )}
                      <div className="min-w-0 flex-1">
                        <h3 className="truncate text-sm font-medium" title={c.title} data-testid="card-title">
                          {c.title}
                        </h3>
                        <p
                          className="truncate text-xs text-zinc-600 dark:text-zinc-400"
                          title={meta}
                          data-testid="card-range"
                        >
                          {meta}
                        </p>
                      </div>
                      {canEdit && (
                        <div className="flex shrink-0">
                          <button
                            type="button"
                            title="Edit"
                            aria-label={`Edit ${c.title}`}
                            className="rounded p-1 hover:bg-zinc-100 dark:hover:bg-zinc-800"
                            onClick={() => setBuilder({ card: c })}
                          >
                            <Pencil className="size-3.5" />
                          </button>
                          <button
                            type="button"
                            title="Duplicate"
                            aria-label={`Duplicate ${c.title}`}
                            className="rounded p-1 hover:bg-zinc-100 dark:hover:bg-zinc-800"
                            onClick={() =>
                              save.mutate({
                                draft: { title: `${c.title} (copy)`, type: c.type, query: c.query, color: c.color },
                              })
                            }
                          >
                            <Copy className="size-3.5" />
                          </button>
                          <button
                            type="button"
                            title="Delete"
                            aria-label={`Delete ${c.title}`}
                            className="rounded p-1 hover:bg-zinc-100 dark:hover:bg-zinc-800"
                            onClick={() => window.confirm(`Delete "${c.title}"?`) && remove.mutate(c.id)}
                          >
                            <Trash2 className="size-3.5" />
                          </button>
                        </div>
                      )}
                    </header>
                    <div className="min-h-0 flex-1 p-1">
                      <CardView card={{ ...c, agent }} refreshKey={refreshKey} />
                    </div>
                    {mixedNumeric(c) && (
                      <p
                        className="truncate px-3 pb-1.5 text-[11px] text-amber-800 dark:text-amber-300"
                        title={`${c.query.property} has mixed types: non-numeric values are ignored.`}
                        data-testid="mixed-note"
                      >
                        {c.query.property} has mixed types: non-numeric values are ignored.
                      </p>
                    )}
                  </Card>
                </div>
              );
            })}
          </ResponsiveGridLayout>
        )}
      </div>
      {builder && catalog.data && (
        <CardBuilder
          agent={agent}
          catalog={catalog.data.events}
          initial={
            builder.card
              ? {
                  title: builder.card.title,
                  type: builder.card.type,
                  query: builder.card.query,
                  color: builder.card.color,
                }
              : undefined
          }
          onClose={() => setBuilder(null)}
          onSave={(draft) => save.mutate({ draft, id: builder.card?.id })}
        />
      )}
    </div>
  );
}
