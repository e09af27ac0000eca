"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Activity } from "lucide-react";
import Link from "next/link";
import { api } from "@/lib/client/api";
import type { ExecutionList } from "@/lib/contracts/executions";
import { formatDateTime, formatDuration, formatNumber } from "@/lib/format";
import { Button } from "../ui/button";
import { Alert, Card, EmptyState } from "../ui/card";
import { FirstTraceHelp } from "./first-trace";
import { StatusBadge } from "./status-badge";

const COLUMNS = ["Started", "Agent", "Name", "Status", "Duration", "Tokens", "Thread", "Source"];

type Props = { canCreateKeys: boolean; canLoadSamples: boolean };

export function ExecutionsTable({ canCreateKeys, canLoadSamples }: Props) {
  const queryClient = useQueryClient();
  const samples = useMutation({
    mutationFn: () => api<{ executions: number; events: number }>("/api/v1/demo", { method: "POST" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["executions"] }),
  });
  const query = useInfiniteQuery({
    queryKey: ["executions"],
    queryFn: ({ pageParam }) =>
      api<ExecutionList>(
        `/api/v1/runtime/v1/observability/executions?limit=50${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
      ),
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  if (query.isPending) {
    return (
      <Card className="p-6 text-sm text-zinc-500" aria-busy="true">
        Loading executions…
      </Card>
    );
  }
  if (query.isError) return <Alert>Could not load executions: {query.error.message}</Alert>;

  const rows = query.data.pages.flatMap((p) => p.executions);
  if (rows.length === 0) {
    return (
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
    );
  }

  return (
    <Card className="overflow-x-auto">
      <table className="w-full text-sm">
        <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500 uppercase dark:border-zinc-800">
          <tr>
            {COLUMNS.map((c) => (
              <th key={c} scope="col" className="px-3 py-2 font-medium whitespace-nowrap">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {rows.map((e) => (
            <tr key={e.id} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/50">
              <td className="px-3 py-2 whitespace-nowrap text-zinc-500">{formatDateTime(e.startedAt)}</td>
              <td className="px-3 py-2">{e.agent}</td>
              <td className="max-w-xs truncate px-3 py-2">
                <Link
                  href={`/executions/${encodeURIComponent(e.id)}`}
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {e.name}
                </Link>
              </td>
              <td className="px-3 py-2">
                <StatusBadge status={e.status} />
              </td>
              <td className="px-3 py-2 whitespace-nowrap tabular-nums">{formatDuration(e.durationMs)}</td>
              <td className="px-3 py-2 tabular-nums">{formatNumber(e.tokens.total)}</td>
              <td className="max-w-[10rem] truncate px-3 py-2 font-mono text-xs">{e.threadId ?? "–"}</td>
              <td className="px-3 py-2 text-xs">{e.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {query.hasNextPage && (
        <div className="border-t border-zinc-200 p-2 text-center dark:border-zinc-800">
          <Button variant="ghost" size="sm" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
    </Card>
  );
}
