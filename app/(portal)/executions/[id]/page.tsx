import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { StatusBadge } from "@/components/executions/status-badge";
import { Card, PageHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { getDb } from "@/lib/db";
import { formatDateTime, formatDuration, formatNumber } from "@/lib/format";
import { getExecution, listSpanOutline } from "@/lib/traces/read";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Execution" };

export default async function ExecutionPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requirePortalContext();
  const id = decodeURIComponent((await params).id);
  const db = await getDb();
  const execution = await getExecution(db, ctx.workspace!.id, id);
  if (!execution) notFound();
  const spans = await listSpanOutline(db, ctx.workspace!.id, id, 2000);
  return (
    <>
      <PageHeader
        title={execution.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <StatusBadge status={execution.status} />
            <span>{execution.agent}</span>
            <span>·</span>
            <span>{formatDateTime(execution.startedAt)}</span>
            <span>·</span>
            <span>{formatDuration(execution.durationMs)}</span>
            <span>·</span>
            <span>{formatNumber(execution.tokens.total)} tokens</span>
          </span>
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-3 text-xs text-zinc-600 dark:text-zinc-400">
        <span className="font-mono">{execution.id}</span>
        <CopyButton value={execution.id} label="Copy id" />
        {execution.threadId && (
          <Link className="text-indigo-600 hover:underline" href={`/threads/${encodeURIComponent(execution.threadId)}`}>
            Thread {execution.threadId}
          </Link>
        )}
      </div>
      <Card>
        <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
          {spans.map((s) => (
            <li
              key={s.id}
              className="flex items-center gap-3 px-3 py-1.5"
              style={{ paddingLeft: `${0.75 + s.depth * 1.25}rem` }}
            >
              <span className="w-36 shrink-0 font-mono text-xs text-zinc-500">{s.type}</span>
              <span className="min-w-0 flex-1 truncate">{s.name}</span>
              <StatusBadge status={s.status} />
              <span className="w-20 text-right text-xs tabular-nums text-zinc-500">{formatDuration(s.durationMs)}</span>
            </li>
          ))}
          {spans.length === 0 && <li className="px-3 py-6 text-center text-zinc-500">This execution has no spans.</li>}
        </ul>
      </Card>
    </>
  );
}
