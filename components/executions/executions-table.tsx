"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Activity, ArrowDown, ArrowUp, ArrowUpDown, Columns3, Pause, Play, X } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import {
  type FormEvent,
  type RefObject,
  useCallback,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { useLiveNotices } from "@/components/live/use-live-notices";
import { api } from "@/lib/client/api";
import { RUN_STATUSES, SOURCES } from "@/lib/contracts/executions";
import { formatCost, formatDateTime, formatDuration, formatNumber, formatShortDateTime } from "@/lib/format";
import { SOURCE_LABELS } from "../sources/source-label";
import { executionKeys, useAgents } from "../traces/queries";
import { Button } from "../ui/button";
import { Alert, Badge, Card, EmptyState } from "../ui/card";
import { COMPACT_CONTROL, InlineSelect } from "../ui/field";
import { LinkPending } from "../ui/link-pending";
import { TableSkeleton } from "../ui/skeleton";
import {
  COLUMNS,
  COLUMNS_STORAGE_KEY,
  type ColumnId,
  OPTIONAL_COLUMNS,
  type OptionalColumn,
  parseChosenColumns,
  toggleColumn,
  visibleColumns,
} from "./columns";
import {
  filtersToApiQuery,
  filtersToSearch,
  type ListFilters,
  parseFilters,
  sortState,
  TIME_PRESETS,
  toggleSort,
} from "./filters";
import { FirstTraceHelp } from "./first-trace";
import { StatusBadge } from "./status-badge";

const ID_FIELDS = [
  ["threadId", "Thread id"],
  ["sessionId", "Session id"],
  ["companyId", "Company id"],
] as const;

type Props = { canCreateKeys: boolean; canLoadSamples: boolean };

export function ExecutionsTable({ canCreateKeys, canLoadSamples }: Props) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = useMemo(() => parseFilters(new URLSearchParams(searchParams.toString())), [searchParams]);
  const filtered = Object.keys(filters).length > 0;
  const queryClient = useQueryClient();
  const [paused, setPaused] = useState(false);
  const [fresh, setFresh] = useState(0);

  /** Filters live in the URL: every change is a history entry, so links and Back work. */
  const setFilters = useCallback(
    (next: ListFilters) => {
      const qs = filtersToSearch(next);
      router.push(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [router, pathname],
  );

  const agents = useAgents();
  const query = useInfiniteQuery({
    queryKey: executionKeys.list(filters),
    queryFn: ({ pageParam }) => {
      const qs = filtersToApiQuery(filters);
      qs.set("limit", "50");
      if (pageParam) qs.set("cursor", pageParam);
      return api.request("GET /api/v1/runtime/v1/observability/executions", { query: qs });
    },
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const samples = useMutation({
    mutationFn: () => api.request("POST /api/v1/demo"),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: executionKeys.lists() }),
  });

  useLiveNotices(
    useCallback(
      (n) => {
        if (n.kind !== "executions") return;
        if (paused) setFresh((c) => c + (n.ids?.length ?? 1));
        else void queryClient.invalidateQueries({ queryKey: executionKeys.lists() });
      },
      [paused, queryClient],
    ),
  );

  function submitSearch(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const q = String(new FormData(e.currentTarget).get("q") ?? "").trim();
    setFilters({ ...filters, q: q || undefined });
  }

  const idField = ID_FIELDS.find(([k]) => filters[k]) ?? ID_FIELDS[0];
  const rows = query.data?.pages.flatMap((p) => p.executions) ?? [];
  const boxRef = useRef<HTMLDivElement>(null);
  const width = useWidth(boxRef);
  const chosen = useChosenColumns();
  const shown = visibleColumns(chosen, width);
  const columns = COLUMNS.filter((c) => shown.includes(c.id));
  const show = (id: ColumnId) => shown.includes(id);

  return (
    <div className="space-y-3" ref={boxRef}>
      {/* Two fixed rows: the search with the live switch, then the filters at fixed widths, so the
          bar does not move as agents load or filters apply. */}
      <search className="space-y-2" aria-label="Filter executions">
        <div className="flex items-center gap-2">
          <form onSubmit={submitSearch} className="min-w-0 flex-1">
            <input
              key={filters.q ?? ""}
              name="q"
              type="search"
              defaultValue={filters.q ?? ""}
              placeholder="Search name, input, output or id"
              aria-label="Search executions"
              className={`${COMPACT_CONTROL} w-full`}
            />
          </form>
          <Button
            variant={paused ? "secondary" : "ghost"}
            size="sm"
            onClick={() => {
              if (paused) void queryClient.invalidateQueries({ queryKey: executionKeys.lists() });
              setPaused(!paused);
              setFresh(0);
            }}
            aria-pressed={!paused}
            title={paused ? "Resume live updates" : "Pause live updates"}
          >
            {paused ? <Play className="size-3.5" /> : <Pause className="size-3.5" />}
            {/* On a phone "Live" is the icon alone, leaving the search its placeholder. */}
            <span className={paused ? undefined : "max-sm:sr-only"}>
              {paused ? `Paused${fresh ? ` (${fresh} new)` : ""}` : "Live"}
            </span>
          </Button>
          <ColumnMenu shown={shown} />
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <InlineSelect
            aria-label="Agent"
            className="w-44"
            value={filters.agent ?? ""}
            onChange={(e) => setFilters({ ...filters, agent: e.target.value || undefined })}
          >
            <option value="">All agents</option>
            {agents.data?.agents.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}
              </option>
            ))}
          </InlineSelect>
          <InlineSelect
            aria-label="Status"
            className="w-32"
            value={filters.status ?? ""}
            onChange={(e) => setFilters({ ...filters, status: e.target.value || undefined })}
          >
            <option value="">Any status</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </InlineSelect>
          <InlineSelect
            aria-label="Source"
            className="w-36"
            value={filters.source ?? ""}
            onChange={(e) => setFilters({ ...filters, source: e.target.value || undefined })}
          >
            <option value="">All sources</option>
            {SOURCES.map((s) => (
              <option key={s} value={s}>
                {SOURCE_LABELS[s]}
              </option>
            ))}
          </InlineSelect>
          <InlineSelect
            aria-label="Time range"
            className="w-32"
            value={filters.range ?? ""}
            onChange={(e) =>
              setFilters({
                ...filters,
                range: (e.target.value || undefined) as ListFilters["range"],
                from: undefined,
                to: undefined,
              })
            }
          >
            <option value="">Any time</option>
            {Object.keys(TIME_PRESETS).map((p) => (
              <option key={p} value={p}>
                Last {p}
              </option>
            ))}
            <option value="custom">Custom…</option>
          </InlineSelect>
          {filters.range === "custom" && (
            <>
              <input
                type="datetime-local"
                aria-label="From"
                className={COMPACT_CONTROL}
                value={filters.from?.slice(0, 16) ?? ""}
                onChange={(e) =>
                  setFilters({ ...filters, from: e.target.value ? new Date(e.target.value).toISOString() : undefined })
                }
              />
              <input
                type="datetime-local"
                aria-label="To"
                className={COMPACT_CONTROL}
                value={filters.to?.slice(0, 16) ?? ""}
                onChange={(e) =>
                  setFilters({ ...filters, to: e.target.value ? new Date(e.target.value).toISOString() : undefined })
                }
              />
            </>
          )}
          <RangeFilter filters={filters} onChange={setFilters} />
          <IdFilter
            field={idField[0]}
            value={filters[idField[0]] ?? ""}
            onChange={(field, value) =>
              setFilters({
                ...filters,
                threadId: undefined,
                sessionId: undefined,
                companyId: undefined,
                [field]: value || undefined,
              })
            }
          />
          {filters.errorMessage !== undefined && (
            <span className="inline-flex max-w-72 items-center gap-1 rounded-full bg-red-50 py-1 pr-1 pl-3 text-xs text-red-800 dark:bg-red-950 dark:text-red-200">
              <span className="truncate" title={filters.errorMessage}>
                Error: {filters.errorMessage || "(no message)"}
              </span>
              <button
                type="button"
                aria-label="Remove the error filter"
                className="rounded-full p-0.5 hover:bg-red-100 dark:hover:bg-red-900"
                onClick={() => setFilters({ ...filters, errorMessage: undefined })}
              >
                <X className="size-3" />
              </button>
            </span>
          )}
          {filtered && (
            <Button variant="ghost" size="sm" onClick={() => setFilters({})}>
              <X className="size-3.5" /> Clear
            </Button>
          )}
        </div>
      </search>

      {query.isPending ? (
        <TableSkeleton label="Loading executions" columns={columns.length} />
      ) : query.isError ? (
        <Alert>Could not load executions: {query.error.message}</Alert>
      ) : rows.length === 0 && filtered ? (
        <EmptyState title="No execution matches these filters">
          <Button variant="secondary" size="sm" onClick={() => setFilters({})}>
            Clear filters
          </Button>
        </EmptyState>
      ) : rows.length === 0 ? (
        <EmptyState icon={<Activity className="size-8" />} title="No executions yet">
          <FirstTraceHelp canCreateKeys={canCreateKeys} />
          {canLoadSamples && (
            <div className="mt-5 border-t border-zinc-200 pt-4 dark:border-zinc-800">
              <p className="mb-2">Just looking around? Fill this workspace with realistic sample data.</p>
              <Button variant="secondary" onClick={() => samples.mutate()} disabled={samples.isPending}>
                {samples.isPending ? "Loading sample data…" : "Load sample data"}
              </Button>
              {samples.isError && <p className="mt-2 text-red-600">{samples.error.message}</p>}
            </div>
          )}
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="executions-table">
            <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500 uppercase dark:border-zinc-800">
              <tr>
                {columns.map((c) => {
                  const sort = "sort" in c ? c.sort : undefined;
                  const state = sort ? sortState(filters, sort) : "none";
                  return (
                    <th
                      key={c.id}
                      scope="col"
                      aria-sort={sort ? state : undefined}
                      className="px-2 py-2 sm:px-3 font-medium whitespace-nowrap"
                    >
                      {sort ? (
                        <button
                          type="button"
                          className="inline-flex items-center gap-1 uppercase hover:text-zinc-900 dark:hover:text-zinc-100"
                          aria-label={`Sort by ${c.label.toLowerCase()}`}
                          onClick={() => setFilters(toggleSort(filters, sort))}
                        >
                          {c.label}
                          {state === "ascending" ? (
                            <ArrowUp className="size-3" aria-hidden />
                          ) : state === "descending" ? (
                            <ArrowDown className="size-3" aria-hidden />
                          ) : (
                            <ArrowUpDown className="size-3 opacity-40" aria-hidden />
                          )}
                        </button>
                      ) : (
                        c.label
                      )}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {rows.map((e) => (
                <tr
                  key={e.id}
                  // A click anywhere on the row opens it through its link (one navigation, one pending state).
                  onClick={(ev) => {
                    if ((ev.target as HTMLElement).closest("a, button")) return;
                    ev.currentTarget.querySelector<HTMLAnchorElement>("a[data-row-link]")?.click();
                  }}
                  className="cursor-pointer hover:bg-zinc-50 has-[[data-pending]]:bg-indigo-50/60 dark:hover:bg-zinc-800/50 dark:has-[[data-pending]]:bg-indigo-950/40"
                >
                  {/* On a phone the start wraps onto two short lines, leaving the name its room. */}
                  <td
                    className="px-2 py-2 text-zinc-500 max-sm:w-20 max-sm:text-xs sm:px-3 sm:whitespace-nowrap"
                    title={formatDateTime(e.startedAt)}
                  >
                    {formatShortDateTime(e.startedAt)}
                  </td>
                  {show("agent") && <td className="px-2 py-2 whitespace-nowrap sm:px-3">{e.agent}</td>}
                  {/* Width 100% and max-width 0: the name takes the room the other columns leave, and truncates. */}
                  <td className="w-full max-w-0 px-2 py-2 sm:px-3">
                    <Link
                      href={`/executions/${encodeURIComponent(e.id)}`}
                      data-row-link
                      title={e.name}
                      className="block truncate font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {e.name}
                      <LinkPending />
                    </Link>
                    {!show("agent") && (
                      <span className="block truncate text-xs text-zinc-500" data-testid="row-agent">
                        {e.agent}
                      </span>
                    )}
                  </td>
                  <td className="px-2 py-2 sm:px-3">
                    <StatusBadge status={e.status} />
                  </td>
                  <td className="px-2 py-2 sm:px-3 whitespace-nowrap tabular-nums">
                    {e.durationMs === null ? "running" : formatDuration(e.durationMs)}
                  </td>
                  {show("tokens") && <td className="px-2 py-2 sm:px-3 tabular-nums">{formatNumber(e.tokens.total)}</td>}
                  {show("cost") && (
                    <td className="px-2 py-2 sm:px-3 whitespace-nowrap tabular-nums" data-testid="execution-cost">
                      {formatCost(e.cost)}
                    </td>
                  )}
                  {show("thread") && (
                    <td className="max-w-[10rem] truncate px-2 py-2 sm:px-3 font-mono text-xs">
                      {e.threadId ? (
                        <button
                          type="button"
                          className="hover:underline"
                          title="Filter by this thread"
                          onClick={() => setFilters({ ...filters, threadId: e.threadId ?? undefined })}
                        >
                          {e.threadId}
                        </button>
                      ) : (
                        "–"
                      )}
                    </td>
                  )}
                  {show("source") && (
                    <td className="px-2 py-2 sm:px-3 text-xs">
                      <button
                        type="button"
                        title={`Only ${SOURCE_LABELS[e.source]} executions`}
                        onClick={() => setFilters({ ...filters, source: e.source })}
                      >
                        <Badge>{SOURCE_LABELS[e.source]}</Badge>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {query.hasNextPage && (
            <div className="border-t border-zinc-200 p-2 text-center dark:border-zinc-800">
              <Button
                variant="ghost"
                size="sm"
                onClick={() => query.fetchNextPage()}
                disabled={query.isFetchingNextPage}
              >
                {query.isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            </div>
          )}
        </Card>
      )}
    </div>
  );
}

/** The table's width, measured before paint and followed as the window or the sidebar changes. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.getBoundingClientRect().width);
    const observer = new ResizeObserver(([entry]) => setWidth(entry.contentRect.width));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

// The chosen columns, kept in localStorage and shared by every table on the page (and other tabs).
const columnListeners = new Set<() => void>();
function subscribeToColumns(onChange: () => void) {
  columnListeners.add(onChange);
  window.addEventListener("storage", onChange);
  return () => {
    columnListeners.delete(onChange);
    window.removeEventListener("storage", onChange);
  };
}
const readColumns = () => localStorage.getItem(COLUMNS_STORAGE_KEY);

function useChosenColumns(): OptionalColumn[] | null {
  const raw = useSyncExternalStore(subscribeToColumns, readColumns, () => null);
  return useMemo(() => parseChosenColumns(raw), [raw]);
}

function chooseColumns(columns: OptionalColumn[]) {
  localStorage.setItem(COLUMNS_STORAGE_KEY, JSON.stringify(columns));
  for (const listener of columnListeners) listener();
}

/** Shows and hides the optional columns; the essentials are listed, ticked and fixed. */
function ColumnMenu({ shown }: { shown: ColumnId[] }) {
  // The choices exist only while the menu is open (their labels would otherwise double the filters').
  const [open, setOpen] = useState(false);
  return (
    <details className="relative" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary
        className={`${COMPACT_CONTROL} inline-flex cursor-pointer list-none items-center gap-1.5 select-none`}
        aria-label="Columns"
      >
        <Columns3 className="size-4" aria-hidden="true" />
        <span className="max-sm:sr-only">Columns</span>
      </summary>
      {open && (
        <fieldset className="absolute right-0 z-20 mt-1 w-48 space-y-1 rounded-md border border-zinc-200 bg-white p-3 text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-900">
          <legend className="sr-only">Columns to show</legend>
          {COLUMNS.map((c) => {
            const optional = (OPTIONAL_COLUMNS as readonly ColumnId[]).includes(c.id);
            return (
              <label key={c.id} className="flex items-center gap-2">
                <input
                  type="checkbox"
                  checked={shown.includes(c.id)}
                  disabled={!optional}
                  onChange={() => chooseColumns(toggleColumn(shown, c.id as OptionalColumn))}
                />
                {c.label}
              </label>
            );
          })}
        </fieldset>
      )}
    </details>
  );
}

function IdFilter({
  field,
  value,
  onChange,
}: {
  field: (typeof ID_FIELDS)[number][0];
  value: string;
  onChange: (field: string, value: string) => void;
}) {
  const [kind, setKind] = useState<string>(field);
  return (
    <form
      className="flex"
      onSubmit={(e) => {
        e.preventDefault();
        onChange(kind, String(new FormData(e.currentTarget).get("id") ?? "").trim());
      }}
    >
      <InlineSelect
        aria-label="Id type"
        className="rounded-r-none"
        value={kind}
        onChange={(e) => setKind(e.target.value)}
      >
        {ID_FIELDS.map(([k, label]) => (
          <option key={k} value={k}>
            {label}
          </option>
        ))}
      </InlineSelect>
      <input
        key={`${field}:${value}`}
        name="id"
        defaultValue={value}
        placeholder="id (Enter)"
        aria-label="Id value"
        className={`${COMPACT_CONTROL} w-36 rounded-l-none border-l-0`}
      />
    </form>
  );
}

const RANGE_FIELDS = [
  { key: "minDurationMs", label: "Min duration (s)", scale: 1000 },
  { key: "maxDurationMs", label: "Max duration (s)", scale: 1000 },
  { key: "minCost", label: "Min cost ($)", scale: 1 },
  { key: "maxCost", label: "Max cost ($)", scale: 1 },
] as const;

/** Duration and cost bounds, in seconds and dollars here, milliseconds and USD in the URL and API. */
function RangeFilter({ filters, onChange }: { filters: ListFilters; onChange: (f: ListFilters) => void }) {
  const active = RANGE_FIELDS.filter((f) => filters[f.key]).length;
  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const next: ListFilters = { ...filters };
    for (const f of RANGE_FIELDS) {
      const v = Number(String(data.get(f.key) ?? "").trim() || Number.NaN);
      next[f.key] = Number.isFinite(v) && v >= 0 ? String(f.scale === 1 ? v : Math.round(v * f.scale)) : undefined;
    }
    onChange(next);
    e.currentTarget.closest("details")?.removeAttribute("open");
  }
  return (
    <details className="relative">
      <summary className={`${COMPACT_CONTROL} cursor-pointer list-none select-none`}>
        Duration & cost{active ? ` (${active})` : ""}
      </summary>
      <form
        onSubmit={apply}
        className="absolute z-20 mt-1 grid w-72 grid-cols-2 gap-2 rounded-md border border-zinc-200 bg-white p-3 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
      >
        {RANGE_FIELDS.map((f) => (
          <label key={f.key} className="text-xs text-zinc-600 dark:text-zinc-400">
            {f.label}
            <input
              name={f.key}
              type="number"
              min={0}
              step="any"
              defaultValue={filters[f.key] ? String(Number(filters[f.key]) / f.scale) : ""}
              className={`${COMPACT_CONTROL} mt-0.5 w-full`}
            />
          </label>
        ))}
        <Button type="submit" size="sm" className="col-span-2">
          Apply
        </Button>
      </form>
    </details>
  );
}
