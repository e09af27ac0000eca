import type { Metadata } from "next";
import type { ReactNode } from "react";
import { FirstTraceHelp } from "@/components/executions/first-trace";
import { OutputImport } from "@/components/sources/output-import";
import { SOURCE_LABELS, type SourceName } from "@/components/sources/source-label";
import { CloudflareSnippet, OtlpSnippet, OutputRemoteSnippet } from "@/components/sources/source-snippets";
import { Badge, Card } from "@/components/ui/card";
import { readConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { type SourceActivity, sourceActivity } from "@/lib/ingest/sources/activity";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Sources" };

/** "3 minutes ago" for a past instant. */
function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const [n, unit] =
    s < 60
      ? [s, "second"]
      : s < 3600
        ? [Math.floor(s / 60), "minute"]
        : s < 86_400
          ? [Math.floor(s / 3600), "hour"]
          : [Math.floor(s / 86_400), "day"];
  return `${n} ${unit}${n === 1 ? "" : "s"} ago`;
}

function SourceCard({
  source,
  activity,
  subtitle,
  children,
}: {
  source: SourceName;
  activity: SourceActivity | null;
  /** What the source covers, under its name (the name is SOURCE_LABELS', as everywhere). */
  subtitle?: string;
  children: ReactNode;
}) {
  const last = activity?.[source].lastReceivedAt ?? null;
  return (
    <section data-source={source}>
      <Card className="space-y-3 p-4 text-sm">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <div>
            <h2 className="font-semibold">{SOURCE_LABELS[source]}</h2>
            {subtitle && <p className="text-xs text-zinc-500">{subtitle}</p>}
          </div>
          {last ? (
            <span className="text-xs text-zinc-500" data-testid={`last-received-${source}`}>
              Last received <time dateTime={last}>{ago(last, Date.now())}</time>
              <span className="sr-only"> ({new Date(last).toUTCString()})</span>{" "}
              <a className="text-indigo-600 hover:underline dark:text-indigo-400" href={`/executions?source=${source}`}>
                see executions
              </a>
            </span>
          ) : (
            <Badge>Nothing received yet</Badge>
          )}
        </div>
        {children}
      </Card>
    </section>
  );
}

const code = "font-mono text-xs break-all";

export default async function SourcesPage() {
  const ctx = await requirePortalContext();
  const activity = ctx.workspace ? await sourceActivity(await getDb(), ctx.workspace.id) : null;
  const output = readConfig().output;
  return (
    <div className="space-y-6">
      <SourceCard source="sdk" activity={activity} subtitle="The HTTP API and the TypeScript SDK">
        <FirstTraceHelp canCreateKeys={ctx.can("apiKeys.manage")} />
      </SourceCard>

      <SourceCard source="otlp" activity={activity}>
        <p className="text-zinc-600 dark:text-zinc-400">
          Any OpenTelemetry SDK exports traces over OTLP/HTTP (protobuf or JSON). Each trace becomes an execution,
          <code className={code}> service.name</code> its agent; GenAI attributes become LLM calls with tokens.
        </p>
        <OtlpSnippet />
      </SourceCard>

      <SourceCard source="cloudflare" activity={activity} subtitle="Cloudflare Workers, through a tail Worker">
        <p className="text-zinc-600 dark:text-zinc-400">
          A tail Worker forwards each invocation of your Workers (request, logs, exceptions, outcome). Secret headers
          and ids in URLs are redacted here, even when the tail Worker sends them raw.
        </p>
        <CloudflareSnippet />
      </SourceCard>

      <SourceCard source="output" activity={activity}>
        <p className="text-zinc-600 dark:text-zinc-400">
          Import the trace files of the Output workflow framework (
          <code className={code}>OUTPUT_TRACE_LOCAL_ON=true</code> writes them to{" "}
          <code className={code}>logs/runs/&lt;workflow&gt;/&lt;timestamp&gt;_&lt;workflowId&gt;.json</code>). Each file
          becomes one execution; child workflows are part of it and the runs of a workflow that continued as new are
          linked. Importing a file again changes nothing. From a terminal:{" "}
          <code className={code}>npx runlens import-output logs/runs</code>.
        </p>
        {ctx.can("ingest.operate") ? (
          <OutputImport />
        ) : (
          <p className="text-zinc-500">Your role cannot import files; an owner, admin or operator can.</p>
        )}
        <h3 className="pt-2 font-medium">Live runs and S3</h3>
        <ul className="space-y-1 text-zinc-600 dark:text-zinc-400">
          <li>
            Live runs from Output&apos;s Redis:{" "}
            {output.redisUrl ? <Badge tone="green">following</Badge> : <Badge>off</Badge>}
          </li>
          <li>
            Finished traces from S3:{" "}
            {output.s3 ? (
              <>
                <Badge tone="green">importing</Badge> <code className={code}>{output.s3.bucket}</code>
              </>
            ) : (
              <Badge>off</Badge>
            )}
          </li>
        </ul>
        {!(output.redisUrl && output.s3) && (
          <>
            <p className="text-zinc-600 dark:text-zinc-400">
              To follow an Output installation with remote tracing, start Runlens with the same values as its worker:
            </p>
            <OutputRemoteSnippet />
          </>
        )}
      </SourceCard>
    </div>
  );
}
