import type { Metadata } from "next";
import { Suspense } from "react";
import { OverviewDashboard } from "@/components/overview/overview-dashboard";
import { PageHeader } from "@/components/ui/card";
import { requirePortalContext } from "../../_lib/session";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const ctx = await requirePortalContext();
  return (
    <>
      <PageHeader title="Overview" description="How your agents did: volume, errors, latency, tokens and cost." />
      <Suspense>
        <OverviewDashboard canLoadSamples={ctx.can("ingest.operate")} />
      </Suspense>
    </>
  );
}
