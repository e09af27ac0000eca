"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { X } from "lucide-react";
import { type FormEvent, useState } from "react";
import { api } from "@/lib/client/api";
import { Button } from "../ui/button";
import { Alert, Card } from "../ui/card";
import { Field } from "../ui/field";
import { ChipsSkeleton } from "../ui/skeleton";
import { settingsKeys } from "./queries";

export function RedactionPanel({ canEdit }: { canEdit: boolean }) {
  const queryClient = useQueryClient();
  const rules = useQuery({
    queryKey: settingsKeys.redaction,
    queryFn: () => api.request("GET /api/v1/settings/redaction"),
  });
  const [draft, setDraft] = useState("");
  const save = useMutation({
    mutationFn: (keys: string[]) => api.request("PUT /api/v1/settings/redaction", { body: { keys } }),
    onSuccess: (data) => queryClient.setQueryData(settingsKeys.redaction, data),
  });
  const keys = rules.data?.keys ?? [];

  function add(e: FormEvent) {
    e.preventDefault();
    if (!draft.trim()) return;
    save.mutate([...keys, draft.trim()]);
    setDraft("");
  }

  return (
    <Card className="space-y-4 p-4">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Before anything is stored, values under these keys (at any depth of inputs, outputs, metadata and event
        properties, case-insensitive) are replaced with <code className="font-mono">"[REDACTED]"</code>.
      </p>
      {save.isError && <Alert>{save.error.message}</Alert>}
      {rules.isPending && <ChipsSkeleton label="Loading redacted keys" />}
      <ul className="flex flex-wrap gap-2" aria-label="Redacted keys">
        {keys.map((k) => (
          <li
            key={k}
            className="inline-flex items-center gap-1 rounded-full bg-zinc-100 py-1 pr-1 pl-3 font-mono text-xs dark:bg-zinc-800"
          >
            {k}
            {canEdit && (
              <button
                type="button"
                aria-label={`Remove ${k}`}
                className="rounded-full p-0.5 hover:bg-zinc-200 dark:hover:bg-zinc-700"
                onClick={() => save.mutate(keys.filter((x) => x !== k))}
              >
                <X className="size-3" />
              </button>
            )}
          </li>
        ))}
        {rules.isSuccess && keys.length === 0 && (
          <li className="text-sm text-zinc-500">No keys: nothing is redacted.</li>
        )}
      </ul>
      {canEdit && (
        <form onSubmit={add} className="flex items-end gap-2">
          <Field label="Add a key" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="e.g. phone" />
          <Button type="submit" disabled={save.isPending || !draft.trim()}>
            Add
          </Button>
        </form>
      )}
    </Card>
  );
}
