"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound } from "lucide-react";
import { type FormEvent, useState } from "react";
import { ApiClientError, api } from "@/lib/client/api";
import { formatDateTime } from "@/lib/format";
import { Button } from "../ui/button";
import { Alert, Badge, Card, EmptyState } from "../ui/card";
import { CopyButton } from "../ui/copy-button";
import { Field } from "../ui/field";
import { TableSkeleton } from "../ui/skeleton";
import { settingsKeys } from "./queries";

export function ApiKeysPanel() {
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: settingsKeys.apiKeys, queryFn: () => api.request("GET /api/v1/api-keys") });
  const [created, setCreated] = useState<{ label: string; secret: string } | null>(null);
  const [label, setLabel] = useState("");

  const create = useMutation({
    mutationFn: (l: string) => api.request("POST /api/v1/api-keys", { body: { label: l } }),
    onSuccess: (res) => {
      setCreated({ label: res.apiKey.label, secret: res.secret });
      setLabel("");
      void queryClient.invalidateQueries({ queryKey: settingsKeys.apiKeys });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.request("DELETE /api/v1/api-keys/[id]", { params: { id } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: settingsKeys.apiKeys }),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setCreated(null);
    create.mutate(label);
  }

  if (keys.isError) {
    const err = keys.error;
    return (
      <Alert>
        {err instanceof ApiClientError && err.status === 403
          ? "Only owners and admins can manage API keys."
          : err.message}
      </Alert>
    );
  }

  return (
    <div className="space-y-6">
      <Card className="p-4">
        <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
          <Field
            className="min-w-64 flex-1"
            label="New key label"
            placeholder="e.g. production bot"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            error={
              create.error instanceof ApiClientError
                ? (create.error.fieldError("label") ?? create.error.message)
                : undefined
            }
          />
          <Button type="submit" disabled={create.isPending || !label.trim()}>
            {create.isPending ? "Creating…" : "Create key"}
          </Button>
        </form>
        {created && (
          <div
            className="mt-4 rounded-md border border-emerald-300 bg-emerald-50 p-3 dark:border-emerald-800 dark:bg-emerald-950"
            data-testid="new-key"
          >
            <p className="text-sm font-medium text-emerald-900 dark:text-emerald-200">
              Key “{created.label}” created. Copy it now: it will not be shown again.
            </p>
            <div className="mt-2 flex items-center gap-2">
              <code
                className="min-w-0 flex-1 truncate rounded bg-white px-2 py-1 font-mono text-sm dark:bg-zinc-900"
                data-testid="new-key-secret"
              >
                {created.secret}
              </code>
              <CopyButton value={created.secret} label="Copy key" />
            </div>
          </div>
        )}
      </Card>

      {keys.isPending ? (
        <TableSkeleton label="Loading keys" rows={3} columns={4} />
      ) : keys.data.apiKeys.length === 0 ? (
        <EmptyState icon={<KeyRound className="size-8" />} title="No API keys yet">
          Create a key for each service that sends traces or reads executions.
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500 uppercase dark:border-zinc-800">
              <tr>
                <th className="px-3 py-2 font-medium">Label</th>
                <th className="px-3 py-2 font-medium">Key</th>
                <th className="px-3 py-2 font-medium">Created</th>
                <th className="px-3 py-2 font-medium">Last used</th>
                <th className="px-3 py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {keys.data.apiKeys.map((k) => (
                <tr key={k.id} data-testid="api-key-row">
                  <td className="px-3 py-2 font-medium">{k.label}</td>
                  <td className="px-3 py-2 font-mono text-xs">{k.prefix}…</td>
                  <td className="px-3 py-2 text-zinc-500">{formatDateTime(k.createdAt)}</td>
                  <td className="px-3 py-2 text-zinc-500">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "never"}</td>
                  <td className="px-3 py-2 text-right">
                    {k.revokedAt ? (
                      <Badge tone="red">revoked</Badge>
                    ) : (
                      <Button
                        variant="secondary"
                        size="sm"
                        disabled={revoke.isPending}
                        onClick={() => {
                          if (window.confirm(`Revoke “${k.label}”? Services using it will get 401.`))
                            revoke.mutate(k.id);
                        }}
                      >
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  );
}
