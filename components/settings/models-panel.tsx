"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, RefreshCw, Search, X } from "lucide-react";
import { useMemo, useState } from "react";
import { api } from "@/lib/client/api";
import type { ModelPrice, ModelPricesResponse } from "@/lib/contracts/models";
import { formatDateTime, formatNumber } from "@/lib/format";
import { Button } from "../ui/button";
import { Alert, Badge, Card } from "../ui/card";
import { cn } from "../ui/cn";
import { SettingsPanelSkeleton } from "../ui/skeleton";
import { type DraftErrors, fromDraft, type PriceDraft, toDraft } from "./price-draft";
import { settingsKeys } from "./queries";

const KEY = settingsKeys.models;
const CELL =
  "w-full rounded border border-zinc-300 bg-white px-1.5 py-1 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900 aria-[invalid=true]:border-red-500";
const COLUMNS: { field: keyof Omit<PriceDraft, "key">; label: string; hint?: string; width: string }[] = [
  { field: "model", label: "Model", hint: "Name, or a pattern with * (gpt-4o-mini*)", width: "min-w-44" },
  { field: "provider", label: "Provider", width: "w-24" },
  { field: "startsAt", label: "From", hint: "First day (UTC) the price applies; empty: always", width: "w-28" },
  { field: "input", label: "Input", width: "w-20" },
  { field: "output", label: "Output", width: "w-20" },
  { field: "cachedInput", label: "Cached input", hint: "Empty: the input price", width: "w-20" },
  { field: "reasoning", label: "Reasoning", hint: "Empty: the output price", width: "w-20" },
];

/**
 * Settings › Models: the price table that gives each LLM call its cost, models seen without a
 * price, and a recompute of stored costs after an edit.
 */
export function ModelsPanel({ canEdit }: { canEdit: boolean }) {
  const queryClient = useQueryClient();
  const table = useQuery({
    queryKey: KEY,
    queryFn: () => api.request("GET /api/v1/settings/models"),
    // Follow a recompute while the worker runs it.
    refetchInterval: (q) => (["queued", "running"].includes(q.state.data?.recompute.state ?? "") ? 1000 : false),
  });
  const [drafts, setDrafts] = useState<PriceDraft[] | null>(null);
  const [filter, setFilter] = useState("");
  const [saved, setSaved] = useState(false);
  const onSaved = (data: ModelPricesResponse) => {
    queryClient.setQueryData(KEY, data);
    setDrafts(null);
    setSaved(true);
  };
  const save = useMutation({
    mutationFn: (prices: ModelPrice[] | null) => api.request("PUT /api/v1/settings/models", { body: { prices } }),
    onSuccess: onSaved,
  });
  const recompute = useMutation({
    mutationFn: () => api.request("POST /api/v1/settings/models/recompute"),
    onSuccess: (data) => queryClient.setQueryData(KEY, data),
  });

  const data = table.data;
  const rows = useMemo(() => drafts ?? data?.prices.map(toDraft) ?? [], [drafts, data]);
  const checked = useMemo(() => rows.map((r) => ({ row: r, result: fromDraft(r) })), [rows]);
  const invalid = checked.filter((c) => "errors" in c.result).length;
  const shown = checked.filter(({ row }) => !filter || row.model.toLowerCase().includes(filter.toLowerCase()));

  const edit = (next: PriceDraft[]) => {
    setDrafts(next);
    setSaved(false);
  };
  const change = (key: string, field: keyof PriceDraft, value: string) =>
    edit(rows.map((r) => (r.key === key ? { ...r, [field]: value } : r)));
  const add = (model = "") => {
    setFilter("");
    edit([toDraft({ model }), ...rows]);
  };
  const submit = () => {
    const prices = checked.flatMap((c) => ("price" in c.result ? [c.result.price] : []));
    if (prices.length === rows.length) save.mutate(prices);
  };

  if (table.isPending) return <SettingsPanelSkeleton label="Loading prices" />;
  if (table.isError) return <Alert>{table.error.message}</Alert>;
  const state = data!.recompute;
  const running = state.state === "queued" || state.state === "running" || recompute.isPending;

  return (
    <div className="space-y-4">
      <Card className="space-y-3 p-4">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <p className="max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
            A model call costs its tokens at the price its model had on the day it ran (USD per million tokens). Cached
            input and reasoning tokens are parts of the input and output counts. A cost the client sends (our SDK's{" "}
            <code className="font-mono">llm.cost</code>, OpenTelemetry's{" "}
            <code className="font-mono">gen_ai.usage.cost</code>) is kept as sent.
          </p>
          <Badge>{data!.custom ? "Edited prices" : "Built-in prices"}</Badge>
        </div>
        {save.isError && <Alert>{save.error.message}</Alert>}
        {saved && !drafts && (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Saved. New calls use these prices; recompute to apply them to stored calls.
          </p>
        )}
        <div className="flex flex-wrap items-center gap-2">
          <label className="relative">
            <span className="sr-only">Filter models</span>
            <Search className="pointer-events-none absolute top-2 left-2 size-4 text-zinc-400" />
            <input
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder="Filter models"
              className="rounded-md border border-zinc-300 bg-white py-1.5 pr-2 pl-8 text-sm dark:border-zinc-700 dark:bg-zinc-900"
            />
          </label>
          {canEdit && (
            <>
              <Button variant="secondary" size="sm" onClick={() => add()}>
                <Plus className="size-4" /> Add price
              </Button>
              <div className="ml-auto flex flex-wrap items-center gap-2">
                {drafts && (
                  <Button variant="ghost" size="sm" onClick={() => setDrafts(null)}>
                    Discard changes
                  </Button>
                )}
                {data!.custom && !drafts && (
                  <Button variant="ghost" size="sm" disabled={save.isPending} onClick={() => save.mutate(null)}>
                    Restore built-in prices
                  </Button>
                )}
                <Button size="sm" disabled={!drafts || invalid > 0 || save.isPending} onClick={submit}>
                  {save.isPending
                    ? "Saving…"
                    : invalid
                      ? `Fix ${invalid} ${invalid === 1 ? "row" : "rows"} to save`
                      : "Save prices"}
                </Button>
              </div>
            </>
          )}
        </div>
        <div className="max-h-[28rem] overflow-auto rounded-md border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-sm" aria-label="Model prices">
            <thead className="sticky top-0 bg-zinc-50 text-left text-xs text-zinc-500 dark:bg-zinc-900">
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c.field} scope="col" title={c.hint} className={cn("px-2 py-1.5 font-medium", c.width)}>
                    {c.label}
                  </th>
                ))}
                {canEdit && (
                  <th scope="col" className="w-8">
                    <span className="sr-only">Remove</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {shown.map(({ row, result }) => {
                const errors: DraftErrors = "errors" in result ? result.errors : {};
                return (
                  <tr key={row.key}>
                    {COLUMNS.map((c) => (
                      <td key={c.field} className="px-2 py-1 align-top">
                        {canEdit ? (
                          <>
                            <input
                              aria-label={`${c.label} of ${row.model || "new price"}`}
                              aria-invalid={!!errors[c.field]}
                              title={errors[c.field] ?? c.hint}
                              className={CELL}
                              value={row[c.field]}
                              onChange={(e) => change(row.key, c.field, e.target.value)}
                            />
                            {errors[c.field] && (
                              <span className="text-[11px] text-red-600 dark:text-red-400">{errors[c.field]}</span>
                            )}
                          </>
                        ) : (
                          <span className="font-mono text-xs">{row[c.field] || "–"}</span>
                        )}
                      </td>
                    ))}
                    {canEdit && (
                      <td className="px-1 py-1 align-top">
                        <button
                          type="button"
                          aria-label={`Remove ${row.model || "new price"}`}
                          className="rounded p-1 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"
                          onClick={() => edit(rows.filter((r) => r.key !== row.key))}
                        >
                          <X className="size-3.5" />
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
              {shown.length === 0 && (
                <tr>
                  <td colSpan={COLUMNS.length + 1} className="px-2 py-6 text-center text-sm text-zinc-500">
                    {rows.length ? "No price matches the filter." : "No prices: no call gets a cost."}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </Card>

      <Card className="space-y-2 p-4">
        <h2 className="text-sm font-semibold">Models without a price</h2>
        {data!.unpriced.length === 0 ? (
          <p className="text-sm text-zinc-500">Every stored model call with token counts has a cost.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" aria-label="Models without a price">
            {data!.unpriced.map((m) => (
              <li key={m.model} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                <span className="font-mono text-xs">{m.model}</span>
                <span className="text-xs text-zinc-500">
                  {formatNumber(m.calls)} {m.calls === 1 ? "call" : "calls"}, last {formatDateTime(m.lastSeenAt)}
                </span>
                {canEdit && (
                  <Button variant="ghost" size="sm" onClick={() => add(m.model)}>
                    <Plus className="size-4" /> Add a price
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card className="flex flex-wrap items-center justify-between gap-3 p-4">
        <div className="text-sm" role="status" aria-live="polite">
          <h2 className="font-semibold">Stored costs</h2>
          <p className="text-zinc-600 dark:text-zinc-400" data-testid="recompute-state">
            {recomputeText(state)}
          </p>
        </div>
        {canEdit && (
          <Button variant="secondary" size="sm" disabled={running || !!drafts} onClick={() => recompute.mutate()}>
            <RefreshCw className={cn("size-4", running && "animate-spin")} />
            {running ? "Recomputing…" : "Recompute stored costs"}
          </Button>
        )}
        {recompute.isError && <Alert>{recompute.error.message}</Alert>}
      </Card>
    </div>
  );
}

function recomputeText(s: ModelPricesResponse["recompute"]): string {
  switch (s.state) {
    case "idle":
      return "Calls are priced when they arrive. After changing prices, recompute to apply them to stored calls.";
    case "queued":
      return "Recompute queued…";
    case "running":
      return "Recomputing the costs of stored calls…";
    case "done":
      return `Recomputed ${formatNumber(s.spans ?? 0)} ${s.spans === 1 ? "call" : "calls"} on ${formatDateTime(s.finishedAt)}.`;
    case "failed":
      return `The last recompute failed: ${s.error ?? "unknown error"}`;
  }
}
