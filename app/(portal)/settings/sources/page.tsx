import type { Metadata } from "next";
import { FirstTraceHelp } from "@/components/executions/first-trace";
import { OutputImport } from "@/components/sources/output-import";
import { Card } from "@/components/ui/card";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Sources" };

export default async function SourcesPage() {
  const ctx = await requirePortalContext();
  return (
    <>
      <Card className="space-y-3 p-4 text-sm">
        <h2 className="font-semibold">HTTP API and SDK</h2>
        <FirstTraceHelp canCreateKeys={ctx.can("apiKeys.manage")} />
      </Card>
      <Card className="mt-6 space-y-3 p-4 text-sm">
        <h2 className="font-semibold">Output</h2>
        <p className="text-zinc-600 dark:text-zinc-400">
          Import the trace files of the Output workflow framework (
          <code className="font-mono text-xs">OUTPUT_TRACE_LOCAL_ON=true</code> writes them to{" "}
          <code className="font-mono text-xs">
            logs/runs/&lt;workflow&gt;/&lt;timestamp&gt;_&lt;workflowId&gt;.json
          </code>
          ). Each file becomes one execution; child workflows are part of it and the runs of a workflow that continued
          as new are linked. Importing a file again changes nothing. From a terminal:{" "}
          <code className="font-mono text-xs">npx runlens import-output logs/runs</code>.
        </p>
        {ctx.can("ingest.operate") ? (
          <OutputImport />
        ) : (
          <p className="text-zinc-500">Your role cannot import files; an owner, admin or operator can.</p>
        )}
      </Card>
    </>
  );
}
