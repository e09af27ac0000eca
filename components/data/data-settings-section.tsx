"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { type FormEvent, useState } from "react";
import { api } from "@/lib/client/api";
import type { DataSettings, DataSettingsRequest, DataUsage } from "@/lib/contracts/data";
import { USAGE_DAYS } from "@/lib/contracts/data";

import { formatBytes, formatDateTime, formatNumber } from "@/lib/format";
import { settingsKeys, useDataSettings } from "../settings/queries";
import { Button } from "../ui/button";
import { Alert, Badge, Card } from "../ui/card";
import { Field } from "../ui/field";
import { SettingsPanelSkeleton, Skeleton } from "../ui/skeleton";
import { type DataDraft, type DataDraftErrors, fromDataDraft, toDataDraft } from "./data-settings-draft";

const MUTED = "text-zinc-600 dark:text-zinc-400";

/** Recharts is loaded after the page is interactive: the form and the table do not wait for it. */
const UsageByDayChart = dynamic(() => import("./usage-chart").then((m) => m.UsageByDayChart), {
  ssr: false,
  loading: () => <Skeleton className="h-full w-full" />,
});

const forever = (days: number | null) => (days === null ? "Forever" : `${formatNumber(days)} days`);

/** Settings › Data: how long data is kept, the storage budget, and what the workspace's data takes. */
export function DataSettingsSection({ canEdit }: { canEdit: boolean }) {
  const settings = useDataSettings({ fresh: true });
  if (settings.isPending) return <SettingsPanelSkeleton label="Loading data settings" />;
  if (settings.isError) return <Alert>Could not load the data settings: {settings.error.message}</Alert>;
  return (
    <div className="space-y-4">
      <RetentionCard settings={settings.data} canEdit={canEdit && settings.data.canEdit} />
      <UsageCard usage={settings.data.usage} />
    </div>
  );
}

function RetentionCard({ settings, canEdit }: { settings: DataSettings; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<DataDraft | null>(null);
  const [errors, setErrors] = useState<DataDraftErrors>({});
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (body: DataSettingsRequest) => api.request("PUT /api/v1/settings/data", { body }),
    onSuccess: (data) => {
      // The answer's usage was computed now: the banner takes it too.
      queryClient.setQueryData(settingsKeys.dataFresh, data);
      queryClient.setQueryData(settingsKeys.data, data);
      setDraft(null);
      setSaved(true);
    },
  });
  const shown = draft ?? toDataDraft(settings);
  const edit = (key: keyof DataDraft, value: string) => {
    setDraft({ ...shown, [key]: value });
    setErrors({ ...errors, [key]: undefined });
    setSaved(false);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = fromDataDraft(shown);
    if ("errors" in r) setErrors(r.errors);
    else save.mutate(r.body);
  };
  const budget = settings.budget;

  return (
    <Card className="space-y-3 p-4">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h2 className="font-semibold">Retention and storage budget</h2>
        {!canEdit && <Badge>Read-only: owners and admins change these</Badge>}
      </div>
      <p className={`max-w-2xl text-sm ${MUTED}`}>
        How many days to keep traces and business events (empty: forever), and the most this workspace may take. Applied
        hourly: whole days past retention are removed (executions with a review are kept), and while over the budget the
        oldest days of traces go first. The portal warns from 80% of the budget on.
      </p>
      {canEdit ? (
        <form onSubmit={submit} className="space-y-3" aria-label="Retention and storage budget">
          <div className="grid gap-3 sm:grid-cols-3">
            <Field
              label="Keep traces (days)"
              inputMode="numeric"
              placeholder="Forever"
              value={shown.tracesRetentionDays}
              error={errors.tracesRetentionDays}
              onChange={(e) => edit("tracesRetentionDays", e.target.value)}
            />
            <Field
              label="Keep events (days)"
              inputMode="numeric"
              placeholder="Forever"
              value={shown.eventsRetentionDays}
              error={errors.eventsRetentionDays}
              onChange={(e) => edit("eventsRetentionDays", e.target.value)}
            />
            <Field
              label="Workspace storage budget"
              placeholder="No budget"
              hint="50GB, 500MB, 2GiB…"
              value={shown.storageBudget}
              error={errors.storageBudget}
              onChange={(e) => edit("storageBudget", e.target.value)}
            />
          </div>
          {save.isError && <Alert>{save.error.message}</Alert>}
          {saved && !draft && (
            <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
              Saved.
            </p>
          )}
          <div className="flex gap-2">
            <Button type="submit" size="sm" disabled={!draft || save.isPending}>
              {save.isPending ? "Saving…" : "Save"}
            </Button>
            {draft && (
              <Button
                variant="ghost"
                size="sm"
                onClick={() => {
                  setDraft(null);
                  setErrors({});
                }}
              >
                Discard changes
              </Button>
            )}
          </div>
        </form>
      ) : (
        <dl className="grid gap-3 text-sm sm:grid-cols-3">
          <div>
            <dt className={MUTED}>Keep traces</dt>
            <dd className="font-medium">{forever(settings.tracesRetentionDays)}</dd>
          </div>
          <div>
            <dt className={MUTED}>Keep events</dt>
            <dd className="font-medium">{forever(settings.eventsRetentionDays)}</dd>
          </div>
          <div>
            <dt className={MUTED}>Workspace storage budget</dt>
            <dd className="font-medium">
              {settings.storageBudgetBytes === null ? "None" : formatBytes(settings.storageBudgetBytes)}
            </dd>
          </div>
        </dl>
      )}
      <p className={`text-xs ${MUTED}`}>
        Installation budget (RUNLENS_STORAGE_BUDGET):{" "}
        {settings.instanceBudgetBytes === null ? "not set" : formatBytes(settings.instanceBudgetBytes)}.
        {budget && (
          <>
            {" "}
            Nearest budget: {Math.floor(budget.ratio * 100)}% of the{" "}
            {budget.scope === "workspace" ? "workspace's" : "installation's"} ({formatBytes(budget.usedBytes)} of{" "}
            {formatBytes(budget.limitBytes)}){budget.warning ? " — over the 80% warning line." : "."}
          </>
        )}
      </p>
    </Card>
  );
}

function UsageCard({ usage }: { usage: DataUsage }) {
  return (
    <Card className="space-y-4 p-4">
      <div>
        <h2 className="font-semibold">Usage</h2>
        <p className={`text-sm ${MUTED}`}>
          This workspace's data takes about <strong className="font-semibold">{formatBytes(usage.totalBytes)}</strong>{" "}
          (traces {formatBytes(usage.tracesBytes)}, events {formatBytes(usage.eventsBytes)}); the whole database{" "}
          {formatBytes(usage.databaseBytes)}. Estimated from this workspace's row counts and the average stored size of
          a row, computed {formatDateTime(usage.computedAt)}.
        </p>
      </div>
      {usage.byAgent.length === 0 ? (
        <p className={`text-sm ${MUTED}`}>No traces or events stored yet.</p>
      ) : (
        <>
          <div className="overflow-x-auto rounded-md border border-zinc-200 dark:border-zinc-800">
            <table className="w-full text-sm" aria-label="Usage by agent">
              <thead className="bg-zinc-50 text-left text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
                <tr>
                  <th scope="col" className="px-3 py-1.5 font-medium">
                    Agent
                  </th>
                  <th scope="col" className="px-3 py-1.5 text-right font-medium">
                    Size
                  </th>
                  <th scope="col" className="px-3 py-1.5 text-right font-medium">
                    Executions
                  </th>
                  <th scope="col" className="px-3 py-1.5 text-right font-medium">
                    Spans
                  </th>
                  <th scope="col" className="px-3 py-1.5 text-right font-medium">
                    Events
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {usage.byAgent.map((a) => (
                  <tr key={a.agent}>
                    <td className="max-w-64 truncate px-3 py-1.5" title={a.agent}>
                      {a.agent}
                    </td>
                    <td className="px-3 py-1.5 text-right tabular-nums">{formatBytes(a.bytes)}</td>
                    <td className="px-3 py-1.5 text-right tabular-nums">{formatNumber(a.executions)}</td>
                    <td className="px-3 py-1.5 text-right tabular-nums">{formatNumber(a.spans)}</td>
                    <td className="px-3 py-1.5 text-right tabular-nums">{formatNumber(a.events)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div>
            <h3 className="mb-1 text-sm font-medium">By day (last {USAGE_DAYS} days, UTC)</h3>
            {usage.byDay.length === 0 ? (
              <p className={`text-sm ${MUTED}`}>Nothing stored in the last {USAGE_DAYS} days.</p>
            ) : (
              <figure className={`h-56 ${MUTED}`} aria-label="Usage by day">
                <UsageByDayChart byDay={usage.byDay} />
                <figcaption className="sr-only">
                  {usage.byDay.map((d) => `${d.day}: ${formatBytes(d.bytes)}`).join("; ")}
                </figcaption>
              </figure>
            )}
          </div>
        </>
      )}
    </Card>
  );
}
