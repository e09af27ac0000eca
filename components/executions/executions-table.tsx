"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
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

export function ExecutionsTable({ canCreateKeys }: { canCreateKeys: boolean }) {
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
