import type { Metadata } from "next";
import { FirstTraceHelp } from "@/components/executions/first-trace";
import { Card } from "@/components/ui/card";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Sources" };

export default async function SourcesPage() {
  const ctx = await requirePortalContext();
  return (
    <Card className="space-y-3 p-4 text-sm">
      <h2 className="font-semibold">HTTP API and SDK</h2>
      <FirstTraceHelp canCreateKeys={ctx.can("apiKeys.manage")} />
    </Card>
  );
}
