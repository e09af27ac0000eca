import type { Metadata } from "next";
import { MetricsDashboard } from "@/components/metrics/metrics-dashboard";
import { PageHeader } from "@/components/ui/card";
import { getDb } from "@/lib/db";
import { requirePortalContext } from "../../_lib/session";

export const metadata: Metadata = { title: "Metrics" };

export default async function MetricsPage({ searchParams }: { searchParams: Promise<{ agent?: string }> }) {
  const ctx = await requirePortalContext();
  const workspaceId = ctx.workspace!.id;
  // Agents with business events first: those are the ones with a Metrics tab to build.
  const agents = await (await getDb()).prisma.agent.findMany({
    where: { workspaceId, catalog: { some: {} } },
    orderBy: { name: "asc" },
    select: { name: true },
  });
  const names = agents.map((a) => a.name);
  const { agent } = await searchParams;
  const selected = agent && names.includes(agent) ? agent : (names[0] ?? null);
  return (
    <>
      <PageHeader title="Metrics" description="KPI cards over the business events your agents send with track()." />
      <MetricsDashboard key={selected ?? ""} agents={names} agent={selected} canEdit={ctx.can("metrics.edit")} />
    </>
  );
}
