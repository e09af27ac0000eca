"use client";

import { useQuery } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight } from "lucide-react";
import Link from "next/link";
import { api } from "@/lib/client/api";
import type { OutputChainRun } from "@/lib/contracts/output";
import { formatDateTime } from "@/lib/format";
import { executionKeys } from "./queries";

const runLink = (run: OutputChainRun) => `/executions/${encodeURIComponent(run.id)}`;

/**
 * The continue-as-new chain of an Output execution: its position among the runs sharing its
 * workflowId (oldest first) and links to the previous and next runs. Nothing when it is alone.
 */
export function ExecutionChain({ executionId }: { executionId: string }) {
  const query = useQuery({
    queryKey: executionKeys.chain(executionId),
    queryFn: () => api.request("GET /api/v1/observability/executions/[id]/chain", { params: { id: executionId } }),
  });
  const chain = query.data?.chain;
  if (!chain) return null;
  const prev = chain.runs[chain.position - 2];
  const next = chain.runs[chain.position];
  const linkClass = "inline-flex items-center text-indigo-600 hover:underline dark:text-indigo-400";
  return (
    <nav
      aria-label="Continue-as-new chain"
      className="inline-flex flex-wrap items-center gap-2"
      data-testid="run-chain"
    >
      {prev && (
        <Link className={linkClass} href={runLink(prev)} title={`Started ${formatDateTime(prev.startedAt)}`}>
          <ChevronLeft className="size-4" aria-hidden="true" />
          previous run
        </Link>
      )}
      <span>
        run {chain.position} of {chain.total} of <span className="font-mono text-xs">{chain.workflowId}</span>
      </span>
      {next && (
        <Link className={linkClass} href={runLink(next)} title={`Started ${formatDateTime(next.startedAt)}`}>
          next run
          <ChevronRight className="size-4" aria-hidden="true" />
        </Link>
      )}
    </nav>
  );
}
