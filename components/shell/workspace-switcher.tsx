"use client";

import { useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { api } from "@/lib/client/api";
import type { WorkspaceSummary } from "@/lib/contracts/workspaces";
import { InlineSelect } from "../ui/field";
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

  async function change(value: string) {
    setBusy(true);
    try {
      if (value === NEW) {
        const name = window.prompt("Name of the new workspace");
        if (!name?.trim()) return;
        await api("/api/v1/workspaces", { body: { name } });
      } else {
        await api("/api/v1/workspaces/active", { method: "PUT", body: { workspaceId: value } });
      }
      // The data of the previous workspace goes; the layout re-renders with the new one, and live
      // subscriptions reconnect to it (LiveScope).
      queryClient.clear();
      const next = pageAfterSwitch(pathname);
      if (next !== pathname) router.replace(next);
      router.refresh();
    } finally {
      setBusy(false);
    }
  }

  return (
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
  );
}
