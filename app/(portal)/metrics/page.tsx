import type { Metadata } from "next";
import { MetricsDashboard } from "@/components/metrics/metrics-dashboard";
import { PageHeader } from "@/components/ui/card";
import { getDb } from "@/lib/db";
import { metricsTabs } from "@/lib/metrics/cards";
import { requirePortalContext } from "../../_lib/session";

export const metadata: Metadata = { title: "Metrics" };

export default async function MetricsPage({ searchParams }: { searchParams: Promise<{ agent?: string }> }) {
  const ctx = await requirePortalContext();
  const { agent } = await searchParams;
  const tabs = await metricsTabs(await getDb(), ctx.workspace!.id, agent);
  return (
    <>
      <PageHeader title="Metrics" description="KPI cards over the business events your agents send with track()." />
      <MetricsDashboard
        key={tabs.agent ?? tabs.without?.name ?? ""}
        agents={tabs.agents}
        agent={tabs.agent}
        without={tabs.without}
        canEdit={ctx.can("metrics.edit")}
      />
    </>
  );
}
