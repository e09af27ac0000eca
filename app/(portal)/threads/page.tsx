import { MessagesSquare } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { getDb } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { listThreadSummaries } from "@/lib/traces/threads";
import { requirePortalContext } from "../../_lib/session";

export const metadata: Metadata = { title: "Threads" };

export default async function ThreadsPage() {
  const ctx = await requirePortalContext();
  const threads = await listThreadSummaries(await getDb(), ctx.workspace!.id);
  return (
    <>
      <PageHeader title="Threads" description="Conversations: executions that share a threadId." />
      {threads.length === 0 ? (
        <EmptyState icon={<MessagesSquare className="size-8" />} title="No threads yet">
          Executions sent with a <code className="font-mono">threadId</code> are grouped here as conversations.
        </EmptyState>
      ) : (
        <Card>
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {threads.map((t) => (
              <li key={t.threadId}>
                <Link
                  href={`/threads/${encodeURIComponent(t.threadId)}`}
                  className="flex items-center gap-4 px-4 py-2.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/50"
                >
                  <span className="min-w-0 flex-1 truncate font-mono text-xs">{t.threadId}</span>
                  <span className="text-zinc-500">{t.executionCount} executions</span>
                  <span className="w-48 text-right text-zinc-500">{formatDateTime(t.lastActivityAt)}</span>
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </>
  );
}
