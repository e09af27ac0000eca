"use client";

import { useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { ApiClientError, api } from "@/lib/client/api";
import type { WorkspaceSummary } from "@/lib/contracts/workspaces";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { Field, InlineSelect } from "../ui/field";
import { pageAfterSwitch } from "./page-after-switch";

const NEW = "__new__";

export function WorkspaceSwitcher({
  current,
  workspaces,
}: {
  current: WorkspaceSummary | null;
  workspaces: WorkspaceSummary[];
}) {
  const router = useRouter();
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [creating, setCreating] = useState(false);

  /** The data of the previous workspace goes; the layout re-renders with the new one, and live subscriptions reconnect to it (LiveScope). */
  function enter() {
    queryClient.clear();
    const next = pageAfterSwitch(pathname);
    if (next !== pathname) router.replace(next);
    router.refresh();
  }

  async function change(value: string) {
    if (value === NEW) {
      setCreating(true);
      return;
    }
    setBusy(true);
    try {
      await api.request("PUT /api/v1/workspaces/active", { body: { workspaceId: value } });
      enter();
    } catch (e) {
      toast.error(`Could not switch workspace: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <InlineSelect
        aria-label="Workspace"
        value={current?.id ?? ""}
        disabled={busy}
        onChange={(e) => change(e.target.value)}
        className="w-full max-w-48 truncate"
      >
        {!current && <option value="">No workspace</option>}
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name} ({w.role})
          </option>
        ))}
        <option value={NEW}>+ New workspace…</option>
      </InlineSelect>
      <NewWorkspaceDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(name) => {
          setCreating(false);
          toast.success(`Workspace “${name}” created`);
          enter();
        }}
      />
    </>
  );
}

/** Names a new workspace; the user becomes its owner and it becomes the active one. */
function NewWorkspaceDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (name: string) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get("name") ?? "").trim();
    if (!name) {
      setError("Give the workspace a name.");
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const created = await api.request("POST /api/v1/workspaces", { body: { name } });
      onCreated(created.workspace.name);
    } catch (err) {
      setError(err instanceof ApiClientError ? (err.fieldError("name") ?? err.message) : String(err));
    } finally {
      setSaving(false);
    }
  }
  return (
    <Dialog
      open={open}
      onClose={() => {
        setError(null);
        onClose();
      }}
      title="New workspace"
    >
      <form onSubmit={submit} className="space-y-4">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          A workspace has its own executions, API keys, members and settings. You become its owner.
        </p>
        <Field label="Workspace name" name="name" autoFocus maxLength={120} error={error ?? undefined} />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={saving}>
            {saving ? "Creating…" : "Create workspace"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
