import type { Metadata } from "next";
import { Suspense } from "react";
import { ExecutionsTable } from "@/components/executions/executions-table";
import { PageHeader } from "@/components/ui/card";
import { requirePortalContext } from "../../_lib/session";

export const metadata: Metadata = { title: "Executions" };

export default async function ExecutionsPage() {
  const ctx = await requirePortalContext();
  return (
    <>
      <PageHeader title="Executions" description="Every run of your agents and workflows, newest first." />
      <Suspense>
        <ExecutionsTable canCreateKeys={ctx.can("apiKeys.manage")} canLoadSamples={ctx.can("ingest.operate")} />
      </Suspense>
    </>
  );
}
