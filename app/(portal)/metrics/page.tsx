import { BarChart3 } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { getDb } from "@/lib/db";
import { formatDateTime, formatNumber } from "@/lib/format";
import { requirePortalContext } from "../../_lib/session";

export const metadata: Metadata = { title: "Metrics" };

export default async function MetricsPage({ searchParams }: { searchParams: Promise<{ agent?: string }> }) {
  const ctx = await requirePortalContext();
  const workspaceId = ctx.workspace!.id;
  const db = await getDb();
  const agents = await db.prisma.agent.findMany({
    where: { workspaceId },
    orderBy: { name: "asc" },
    select: { id: true, name: true },
  });
  const { agent } = await searchParams;
  const selected = agents.find((a) => a.name === agent) ?? agents[0];
  const events = selected
    ? await db.prisma.eventCatalog.findMany({
        where: { workspaceId, agentId: selected.id },
        orderBy: { count: "desc" },
      })
    : [];
  return (
    <>
      <PageHeader title="Metrics" description="Business events sent with track(), per agent." />
      {agents.length > 0 && (
        <nav aria-label="Agents" className="mb-4 flex flex-wrap gap-1">
          {agents.map((a) => (
            <Link
              key={a.id}
              href={`/metrics?agent=${encodeURIComponent(a.name)}`}
              className={cn(
                "rounded-md px-2.5 py-1 text-sm",
                a.id === selected?.id
                  ? "bg-indigo-600 text-white"
                  : "bg-white text-zinc-700 hover:bg-zinc-100 dark:bg-zinc-900 dark:text-zinc-300",
              )}
            >
              {a.name}
            </Link>
          ))}
        </nav>
      )}
      {events.length === 0 ? (
        <EmptyState icon={<BarChart3 className="size-8" />} title="No business events yet">
          Send events with <code className="font-mono">track("order_placed", {"{ amount: 42 }"})</code> from the SDK, or
          POST them to <code className="font-mono">/api/v1/runtime/v1/observability/events</code>. Their names and
          properties appear here.
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500 uppercase dark:border-zinc-800">
              <tr>
                <th className="px-3 py-2 font-medium">Event</th>
                <th className="px-3 py-2 font-medium">Count</th>
                <th className="px-3 py-2 font-medium">Last seen</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {events.map((e) => (
                <tr key={e.name}>
                  <td className="px-3 py-2 font-mono text-xs">{e.name}</td>
                  <td className="px-3 py-2 tabular-nums">{formatNumber(Number(e.count))}</td>
                  <td className="px-3 py-2 text-zinc-500">{formatDateTime(e.lastSeenAt.toISOString())}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}
