"use client";

import { useQuery } from "@tanstack/react-query";
import { ClipboardCheck, X } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "@/lib/client/api";
import { PRIORITIES, RATINGS, REVIEW_STATUSES } from "@/lib/contracts/reviews";
import { formatDateTime, formatElapsed } from "@/lib/format";
import { useAgents } from "../traces/queries";
import { Button } from "../ui/button";
import { Alert, Badge, Card, EmptyState } from "../ui/card";
import { cn } from "../ui/cn";
import { CopyButton } from "../ui/copy-button";
import { COMPACT_CONTROL, InlineSelect } from "../ui/field";
import { TableSkeleton } from "../ui/skeleton";
import { ExportButton } from "./export-button";
import { KeyHelp } from "./key-help";
import { reviewKeys } from "./queries";
import { PRIORITY_TONE, RATING_LABEL, RATING_TONE } from "./review-options";

const FILTERS = [
  "agentId",
  "status",
  "rating",
  "priority",
  "tag",
  "dateFrom",
  "dateTo",
  "search",
  "assigneeId",
] as const;

/** The QA queue: priority then age, with counts on top, URL-kept filters and keyboard triage. */
export function ReviewQueue({ me }: { me: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = useMemo(
    () =>
      Object.fromEntries(FILTERS.flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : []))) as Record<
        string,
        string
      >,
    [params],
  );
  const [cursor, setCursor] = useState(0);
  const [help, setHelp] = useState(false);
  const listRef = useRef<HTMLUListElement>(null);

  const set = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params.toString());
    if (v) next.set(k, v);
    else next.delete(k);
    router.push(`${pathname}${next.size ? `?${next}` : ""}`, { scroll: false });
  };

  const qs = new URLSearchParams({ ...filters, sort: "priority", limit: "200" });
  const list = useQuery({
    queryKey: reviewKeys.queue(filters),
    queryFn: () => api.request("GET /api/v1/runtime/v1/reviews", { query: qs }),
  });
  const stats = useQuery({
    queryKey: reviewKeys.stats(filters.agentId ?? ""),
    queryFn: () =>
      api.request("GET /api/v1/runtime/v1/reviews/stats", { query: { agentId: filters.agentId || undefined } }),
  });
  const agents = useAgents();
  const rows = list.data?.reviews ?? [];

  useEffect(() => setCursor((c) => Math.min(c, Math.max(rows.length - 1, 0))), [rows.length]);
  const open = useCallback(
    (id: string) => router.push(`/reviews/${id}?${new URLSearchParams(filters)}`),
    [router, filters],
  );

  // Triage keys work anywhere on the page, except while typing in a field.
  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (
        e.target instanceof HTMLInputElement ||
        e.target instanceof HTMLSelectElement ||
        e.target instanceof HTMLTextAreaElement
      )
        return;
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === "j" || e.key === "ArrowDown") setCursor((c) => Math.min(c + 1, rows.length - 1));
      else if (e.key === "k" || e.key === "ArrowUp") setCursor((c) => Math.max(c - 1, 0));
      else if (e.key === "Enter" && rows[cursor]) open(rows[cursor].id);
      else if (e.key === "?") setHelp((h) => !h);
      else if (e.key === "Escape") setHelp(false);
      else return;
      e.preventDefault();
    },
    [rows, cursor, open],
  );
  useEffect(() => {
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [onKeyDown]);

  return (
    <div className="space-y-4">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" data-testid="review-stats">
        {REVIEW_STATUSES.map((s) => (
          <Card key={s} className="p-3">
            <div className="text-xs text-zinc-500">{s.replace("_", " ")}</div>
            <div className="text-xl font-semibold tabular-nums">{stats.data?.byStatus[s] ?? "–"}</div>
          </Card>
        ))}
        <Card className="p-3">
          <div className="text-xs text-zinc-500">total</div>
          <div className="text-xl font-semibold tabular-nums">{stats.data?.total ?? "–"}</div>
        </Card>
        <Card className="p-3">
          <div className="text-xs text-zinc-500">avg. resolution</div>
          <div className="text-xl font-semibold tabular-nums">
            {stats.data?.avgResolutionHours == null ? "–" : formatElapsed(stats.data.avgResolutionHours * 3_600_000)}
          </div>
        </Card>
      </div>

      <search className="flex flex-wrap items-center gap-2" aria-label="Filter reviews">
        {/* A row of its own: the placeholder says what is searched, whole, at every width. */}
        <form
          className="w-full"
          onSubmit={(e) => {
            e.preventDefault();
            set("search", String(new FormData(e.currentTarget).get("search") ?? "").trim() || undefined);
          }}
        >
          <input
            key={filters.search ?? ""}
            name="search"
            type="search"
            defaultValue={filters.search}
            placeholder="Search comments, notes, corrections (Enter)"
            aria-label="Search reviews"
            className={`${COMPACT_CONTROL} w-full`}
          />
        </form>
        <InlineSelect
          aria-label="Agent"
          value={filters.agentId ?? ""}
          onChange={(e) => set("agentId", e.target.value || undefined)}
        >
          <option value="">All agents</option>
          {agents.data?.agents.map((a) => (
            <option key={a.id} value={a.name}>
              {a.name}
            </option>
          ))}
        </InlineSelect>
        {(
          [
            ["status", "Any status", REVIEW_STATUSES],
            ["rating", "Any rating", RATINGS],
            ["priority", "Any priority", PRIORITIES],
          ] as const
        ).map(([k, label, values]) => (
          <InlineSelect
            key={k}
            aria-label={k[0].toUpperCase() + k.slice(1)}
            value={filters[k] ?? ""}
            onChange={(e) => set(k, e.target.value || undefined)}
          >
            <option value="">{label}</option>
            {values.map((v) => (
              <option key={v} value={v}>
                {v.replace("_", " ")}
              </option>
            ))}
          </InlineSelect>
        ))}
        <input
          aria-label="Tag"
          placeholder="tag"
          className={`${COMPACT_CONTROL} w-24`}
          defaultValue={filters.tag}
          onKeyDown={(e) => e.key === "Enter" && set("tag", e.currentTarget.value.trim() || undefined)}
        />
        <label className="flex items-center gap-1.5 text-sm text-zinc-600 dark:text-zinc-400">
          From
          <input
            type="date"
            aria-label="From date"
            className={COMPACT_CONTROL}
            value={filters.dateFrom?.slice(0, 10) ?? ""}
            onChange={(e) => set("dateFrom", e.target.value || undefined)}
          />
        </label>
        <label className="flex items-center gap-1.5 text-sm text-zinc-600 dark:text-zinc-400">
          To
          <input
            type="date"
            aria-label="To date"
            className={COMPACT_CONTROL}
            value={filters.dateTo?.slice(0, 10) ?? ""}
            onChange={(e) => set("dateTo", e.target.value ? `${e.target.value}T23:59:59Z` : undefined)}
          />
        </label>
        <label className="flex items-center gap-1.5 text-sm">
          <input
            type="checkbox"
            checked={filters.assigneeId === me}
            onChange={(e) => set("assigneeId", e.target.checked ? me : undefined)}
          />{" "}
          Assigned to me
        </label>
        {Object.keys(filters).length > 0 && (
          <Button variant="ghost" size="sm" onClick={() => router.push(pathname)}>
            <X className="size-3.5" /> Clear
          </Button>
        )}
        <div className="ml-auto">
          <ExportButton agentId={filters.agentId} />
        </div>
      </search>

      {list.isPending ? (
        <TableSkeleton label="Loading the queue" columns={5} />
      ) : list.isError ? (
        <Alert>{list.error.message}</Alert>
      ) : rows.length === 0 ? (
        <EmptyState
          icon={<ClipboardCheck className="size-8" />}
          title={Object.keys(filters).length ? "No review matches" : "The queue is empty"}
        >
          Flag an execution with the <strong>Review</strong> button on its page, or create reviews through the API or{" "}
          <code className="font-mono">runlens mcp</code>.
        </EmptyState>
      ) : (
        <Card>
          <ul ref={listRef} className="divide-y divide-zinc-100 dark:divide-zinc-800" aria-label="Review queue">
            {rows.map((r, i) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the row's button is its keyboard control; a click anywhere else on the row opens it too
              <li
                key={r.id}
                data-testid="review-row"
                aria-current={i === cursor ? "true" : undefined}
                onClick={(e) => {
                  if (!(e.target as HTMLElement).closest("button, a")) open(r.id);
                }}
                className={cn(
                  "cursor-pointer px-4 py-2.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/50",
                  i === cursor && "bg-indigo-50 dark:bg-indigo-950",
                )}
              >
                <div className="flex items-center gap-3">
                  <button
                    type="button"
                    onClick={() => open(r.id)}
                    onFocus={() => setCursor(i)}
                    className="flex min-w-0 flex-1 flex-wrap items-center gap-x-2 gap-y-1 text-left"
                  >
                    <Badge tone={PRIORITY_TONE[r.priority]}>{r.priority}</Badge>
                    <Badge tone={RATING_TONE[r.rating]}>{RATING_LABEL[r.rating]}</Badge>
                    <Badge>{r.status.replace("_", " ")}</Badge>
                    {/* The reviewer's words: on a line of their own on phones, beside the badges from sm up. */}
                    <span className="w-full min-w-0 truncate sm:w-auto sm:flex-1" data-testid="review-comment">
                      {r.comment}
                    </span>
                  </button>
                  <span className="hidden shrink-0 text-xs text-zinc-500 sm:inline">{formatDateTime(r.createdAt)}</span>
                </div>
                <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-0.5 text-xs text-zinc-500">
                  <span className="inline-flex min-w-0 max-w-full items-center gap-0.5">
                    <span className="sr-only">Execution </span>
                    <span
                      className="truncate font-mono"
                      title={`Execution ${r.executionId}`}
                      data-testid="review-execution"
                    >
                      {r.executionId}
                    </span>
                    <CopyButton value={r.executionId} label="Copy id" />
                  </span>
                  <span>{r.agent}</span>
                  {r.tags.map((t) => (
                    <span key={t} className="rounded bg-zinc-100 px-1.5 dark:bg-zinc-800">
                      #{t}
                    </span>
                  ))}
                  <span className="sm:hidden">{formatDateTime(r.createdAt)}</span>
                </div>
              </li>
            ))}
          </ul>
        </Card>
      )}
      <p className="text-xs text-zinc-500">
        <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>?</kbd> all keys
      </p>
      {help && <KeyHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
