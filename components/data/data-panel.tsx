"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { api } from "@/lib/client/api";
import type { DeletionCounts, DeletionRecord, ErasureRequest } from "@/lib/contracts/data";
import { formatDateTime, plural } from "@/lib/format";
import { Button } from "../ui/button";
import { Alert, Card } from "../ui/card";
import { Field } from "../ui/field";
import { Skeleton } from "../ui/skeleton";
import { TypedConfirmDialog } from "./confirm-dialog";
import { type ErasureDraft as Draft, EMPTY_ERASURE as EMPTY, erasureRequest } from "./erasure";

const AUDIT_KEY = ["settings", "audit"] as const;
const ERASE_WORD = "ERASE";

const counts = (c: DeletionCounts) =>
  `${plural(c.executions, "execution")}, ${plural(c.spans, "span")}, ${plural(c.events, "event")}`;

function recordLabel(r: DeletionRecord): string {
  if (r.kind === "execution" && "executionId" in r.target) return `Execution ${r.target.executionId}`;
  const t = r.target as ErasureRequest;
  const parts = [
    t.identify && `${t.identify.type} ${t.identify.value}`,
    t.threadId && `thread ${t.threadId}`,
    t.sessionId && `session ${t.sessionId}`,
    t.companyId && `company ${t.companyId}`,
  ].filter(Boolean);
  return `Erasure: ${parts.join(", ")}${t.agent ? ` (agent ${t.agent})` : ""}`;
}

/** Settings › Data: erase everything of a user, and the record of every deletion. */
export function DataPanel() {
  const queryClient = useQueryClient();
  const audit = useQuery({ queryKey: AUDIT_KEY, queryFn: () => api.request("GET /api/v1/settings/audit") });
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [confirming, setConfirming] = useState(false);
  const request = erasureRequest(draft);
  const erase = useMutation({
    mutationFn: (body: ErasureRequest) => api.request("POST /api/v1/runtime/v1/observability/erasure", { body }),
    onSuccess: (c) => {
      setConfirming(false);
      setDraft(EMPTY);
      toast.success(`Erased ${counts(c)}.`);
      void queryClient.invalidateQueries();
    },
  });
  const field = (key: keyof Draft, label: string, placeholder?: string) => (
    <Field
      label={label}
      value={draft[key]}
      placeholder={placeholder}
      onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
    />
  );
  const open = (e: FormEvent) => {
    e.preventDefault();
    if (request) setConfirming(true);
  };

  return (
    <div className="space-y-4">
      <Card className="space-y-3 p-4">
        <h2 className="font-semibold">Erase a user's data</h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          For an erasure request: every execution whose thread, session, company or identified user matches one of these
          is deleted, with its spans, review and events, and the thread's events.
        </p>
        <form onSubmit={open} className="space-y-3">
          <div className="grid gap-3 sm:grid-cols-2">
            {field("identifyType", "Identify type", "email")}
            {field("identifyValue", "Identify value", "ana@example.com")}
            {field("threadId", "Thread id")}
            {field("sessionId", "Session id")}
            {field("companyId", "Company id")}
            {field("agent", "Only this agent (optional)")}
          </div>
          <Button type="submit" variant="danger" disabled={!request}>
            Erase…
          </Button>
        </form>
      </Card>
      <TypedConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title="Erase this data?"
        word={ERASE_WORD}
        action="Erase"
        pending={erase.isPending}
        error={erase.error?.message}
        onConfirm={() => request && erase.mutate(request)}
      >
        <p>This cannot be undone. It will be recorded below.</p>
        {request && (
          <pre className="overflow-x-auto rounded bg-zinc-100 p-2 text-xs dark:bg-zinc-800">
            {JSON.stringify(request, null, 2)}
          </pre>
        )}
      </TypedConfirmDialog>
      <Card className="p-4">
        <h2 className="mb-2 font-semibold">Deletions</h2>
        {audit.isPending ? (
          <div className="space-y-2" aria-busy="true">
            <Skeleton className="h-5 w-full" />
            <Skeleton className="h-5 w-2/3" />
          </div>
        ) : audit.isError ? (
          <Alert>Could not load the deletions: {audit.error.message}</Alert>
        ) : audit.data.records.length === 0 ? (
          <p className="text-sm text-zinc-500">Nothing has been deleted.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" aria-label="Deletions">
            {audit.data.records.map((r) => (
              <li key={r.id} className="flex flex-wrap items-baseline justify-between gap-x-4 py-2">
                <span className="min-w-0 break-all">{recordLabel(r)}</span>
                <span className="text-xs text-zinc-500">
                  {counts(r)} · {r.actor} · {formatDateTime(r.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
