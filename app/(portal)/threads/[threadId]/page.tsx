import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { StatusBadge } from "@/components/executions/status-badge";
import { Card, PageHeader } from "@/components/ui/card";
import { getDb } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { listExecutions } from "@/lib/traces/executions";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Thread" };

export default async function ThreadPage({ params }: { params: Promise<{ threadId: string }> }) {
  const ctx = await requirePortalContext();
  const threadId = decodeURIComponent((await params).threadId);
  const { executions } = await listExecutions(await getDb(), ctx.workspace!.id, { threadId, limit: 200 });
  if (executions.length === 0) notFound();
  return (
    <>
      <PageHeader title={`Thread ${threadId}`} description={`${executions.length} executions, oldest first.`} />
      <Card>
        <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {[...executions].reverse().map((e) => (
            <li key={e.id} className="flex items-center gap-3 px-4 py-2.5 text-sm">
              <span className="w-48 text-zinc-500">{formatDateTime(e.startedAt)}</span>
              <Link
                className="min-w-0 flex-1 truncate font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                href={`/executions/${encodeURIComponent(e.id)}`}
              >
                {e.name}
              </Link>
              <StatusBadge status={e.status} />
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
