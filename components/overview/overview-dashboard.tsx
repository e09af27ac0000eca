"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LayoutDashboard } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { api } from "@/lib/client/api";
import type { Execution } from "@/lib/contracts/executions";
import type { Overview } from "@/lib/contracts/overview";
import { formatCost, formatDateTime, formatDuration, formatNumber } from "@/lib/format";
import { useAgents } from "../traces/queries";
import { Button } from "../ui/button";
import { Alert, Card, EmptyState } from "../ui/card";
import { InlineSelect } from "../ui/field";
import { Breakdowns } from "./breakdowns";
import { overviewSearch, RANGES, type RangeKey, rangeBounds } from "./overview-range";

const timezone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Overview: how the workspace's agents did over a range, each tile linking into the explorer. */
export function OverviewDashboard({ canLoadSamples }: { canLoadSamples: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const range = (RANGES.some((r) => r.key === params.get("range")) ? params.get("range") : "7d") as RangeKey;
  const agent = params.get("agent") ?? "";
  const setParams = useCallback(
    (next: { range?: RangeKey; agent?: string }) => {
      const qs = new URLSearchParams();
      const r = next.range ?? range;
      const a = next.agent ?? agent;
      if (r !== "7d") qs.set("range", r);
      if (a) qs.set("agent", a);
      router.push(qs.size ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [router, pathname, range, agent],
  );
  const agents = useAgents();
  const queryClient = useQueryClient();
  const overview = useQuery({
    queryKey: ["overview", range, agent],
    queryFn: () => {
      const { from, to } = rangeBounds(range);
      return api.request("GET /api/v1/overview", {
        query: { from, to, timezone: timezone(), agent: agent || undefined },
      });
    },
    placeholderData: (prev) => prev,
  });
  const samples = useMutation({
    mutationFn: () => api.request("POST /api/v1/demo"),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["overview"] }),
  });

  const explore = (extra: Record<string, string>) => `/executions?${overviewSearch({ range, agent, ...extra })}`;
  const data = overview.data;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <InlineSelect
          aria-label="Range"
          value={range}
          onChange={(e) => setParams({ range: e.target.value as RangeKey })}
        >
          {RANGES.map((r) => (
            <option key={r.key} value={r.key}>
              {r.label}
            </option>
          ))}
        </InlineSelect>
        <InlineSelect aria-label="Agent" value={agent} onChange={(e) => setParams({ agent: e.target.value })}>
          <option value="">All agents</option>
          {agents.data?.agents.map((a) => (
            <option key={a.id} value={a.name}>
              {a.name}
            </option>
          ))}
        </InlineSelect>
        {overview.isFetching && !overview.isPending && <span className="text-xs text-zinc-500">Updating…</span>}
      </div>

      {overview.isPending ? (
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5" aria-busy="true">
          {Array.from({ length: 5 }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
            <Card key={i} className="h-20 animate-pulse">
              <span className="sr-only">Loading…</span>
            </Card>
          ))}
        </div>
      ) : overview.isError ? (
        <Alert>Could not load the overview: {overview.error.message}</Alert>
      ) : data && data.executions === 0 ? (
        <EmptyState icon={<LayoutDashboard className="size-8" />} title="No executions in this range">
          <p>Send traces with the SDK or OpenTelemetry (Settings › Sources), or widen the range.</p>
          {canLoadSamples && (
            <div className="mt-4">
              <Button variant="secondary" onClick={() => samples.mutate()} disabled={samples.isPending}>
                {samples.isPending ? "Loading sample data…" : "Load sample data"}
              </Button>
              {samples.isError && <p className="mt-2 text-red-600">{samples.error.message}</p>}
            </div>
          )}
        </EmptyState>
      ) : data ? (
        <>
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
            <Tile label="Executions" value={formatNumber(data.executions)} href={explore({})} />
            <Tile
              label="Error rate"
              value={data.errorRate === null ? "–" : `${(data.errorRate * 100).toFixed(1)}%`}
              detail={`${formatNumber(data.errors)} ${data.errors === 1 ? "error" : "errors"}`}
              href={explore({ status: "error" })}
            />
            <Tile
              label="Latency p50 / p95"
              value={`${formatDuration(data.latency.p50)} / ${formatDuration(data.latency.p95)}`}
              detail={`p90 ${formatDuration(data.latency.p90)} · p99 ${formatDuration(data.latency.p99)}`}
              href={explore({ sort: "duration" })}
            />
            <Tile label="Tokens" value={formatNumber(data.tokens)} href={explore({ sort: "tokens" })} />
            <Tile label="Cost" value={formatCost(data.cost)} href={explore({ sort: "cost" })} testId="overview-cost" />
          </div>
          <div className="grid grid-cols-1 gap-3 lg:grid-cols-3">
            <ChartCard title="Executions and errors">
              <BarChart data={chartRows(data)}>
                <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
                <XAxis dataKey="label" fontSize={10} minTickGap={24} />
                <YAxis fontSize={10} width={36} allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="executions" name="Executions" fill="#6366f1" />
                <Bar dataKey="errors" name="Errors" fill="#ef4444" />
              </BarChart>
            </ChartCard>
            <ChartCard title="Latency">
              <LineChart data={chartRows(data)}>
                <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
                <XAxis dataKey="label" fontSize={10} minTickGap={24} />
                <YAxis fontSize={10} width={48} tickFormatter={(v: number) => formatDuration(v)} />
                <Tooltip formatter={(v) => formatDuration(Number(v))} />
                <Legend />
                <Line dataKey="p50" name="p50" stroke="#0ea5e9" dot={false} connectNulls />
                <Line dataKey="p95" name="p95" stroke="#f59e0b" dot={false} connectNulls />
              </LineChart>
            </ChartCard>
            <ChartCard title="Cost">
              <LineChart data={chartRows(data)}>
                <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
                <XAxis dataKey="label" fontSize={10} minTickGap={24} />
                <YAxis fontSize={10} width={56} tickFormatter={(v: number) => formatCost(v)} />
                <Tooltip formatter={(v) => formatCost(Number(v))} />
                <Line dataKey="cost" name="Cost" stroke="#10b981" dot={false} connectNulls />
              </LineChart>
            </ChartCard>
          </div>
          <Breakdowns data={data} explore={explore} />
          <div className="grid grid-cols-1 gap-3 lg:grid-cols-3">
            <Card className="p-3">
              <h2 className="mb-2 text-sm font-semibold">Top errors</h2>
              {data.topErrors.length === 0 ? (
                <p className="text-sm text-zinc-500">No errors in this range.</p>
              ) : (
                <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" aria-label="Top errors">
                  {data.topErrors.map((e) => (
                    <li key={`${e.name}\u0000${e.message}`} className="py-1.5">
                      <Link
                        className="block hover:underline"
                        href={explore({ status: "error", ...(e.message ? { errorMessage: e.message } : {}) })}
                      >
                        <span className="font-medium text-red-700 dark:text-red-300">{e.name}</span>{" "}
                        <span className="break-words text-zinc-700 dark:text-zinc-300">{e.message}</span>
                      </Link>
                      <span className="text-xs text-zinc-500">
                        {formatNumber(e.count)} {e.count === 1 ? "time" : "times"}, last {formatDateTime(e.lastAt)}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            <RunList title="Slowest" runs={data.slowest} value={(e) => formatDuration(e.durationMs)} />
            <RunList title="Most expensive" runs={data.costliest} value={(e) => formatCost(e.cost)} />
          </div>
        </>
      ) : null}
    </div>
  );
}

function chartRows(data: Overview) {
  const hourly = data.interval === "hour";
  return data.series.map((s) => ({
    ...s,
    label: new Date(s.bucket).toLocaleString(
      undefined,
      hourly ? { day: "numeric", hour: "2-digit" } : { month: "short", day: "numeric" },
    ),
  }));
}

function Tile(props: { label: string; value: string; detail?: string; href: string; testId?: string }) {
  return (
    <Link href={props.href} className="block">
      <Card className="h-full p-3 hover:border-indigo-400">
        <div className="text-xs text-zinc-500 uppercase">{props.label}</div>
        <div
          className="mt-1 truncate text-xl font-semibold tabular-nums"
          data-testid={props.testId}
          title={props.value}
        >
          {props.value}
        </div>
        {props.detail && <div className="text-xs text-zinc-500">{props.detail}</div>}
      </Card>
    </Link>
  );
}

function ChartCard({ title, children }: { title: string; children: React.ReactElement }) {
  return (
    <Card className="p-3">
      <h2 className="mb-2 text-sm font-semibold">{title}</h2>
      <div className="h-48">
        <ResponsiveContainer width="100%" height="100%">
          {children}
        </ResponsiveContainer>
      </div>
    </Card>
  );
}

function RunList({ title, runs, value }: { title: string; runs: Execution[]; value: (e: Execution) => string }) {
  return (
    <Card className="p-3">
      <h2 className="mb-2 text-sm font-semibold">{title}</h2>
      {runs.length === 0 ? (
        <p className="text-sm text-zinc-500">Nothing to show.</p>
      ) : (
        <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" aria-label={title}>
          {runs.map((e) => (
            <li key={e.id} className="flex items-center justify-between gap-2 py-1.5">
              <Link className="min-w-0 truncate hover:underline" href={`/executions/${encodeURIComponent(e.id)}`}>
                {e.agent} · {e.name}
              </Link>
              <span className="shrink-0 tabular-nums">{value(e)}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
