"use client";

import { AlertTriangle, X } from "lucide-react";
import Link from "next/link";
import { useEffect, useState } from "react";
import { useDataSettings } from "../settings/queries";
import { budgetMessage } from "./data-settings-draft";

const dismissedKey = (workspaceId: string) => `runlens:storage-banner-dismissed:${workspaceId}`;

/**
 * Shown on every portal page from 80% of a storage budget on (the workspace's own or the
 * installation's), linking to Settings › Data; dismissed for the browser session.
 */
export function StorageBanner({ workspaceId }: { workspaceId: string }) {
  const settings = useDataSettings({ fresh: false });
  const [dismissed, setDismissed] = useState(true);
  // sessionStorage exists only in the browser: read after mount (the server renders no banner).
  useEffect(() => {
    setDismissed(sessionStorage.getItem(dismissedKey(workspaceId)) === "1");
  }, [workspaceId]);
  const budget = settings.data?.budget;
  if (!budget?.warning || dismissed) return null;
  const dismiss = () => {
    sessionStorage.setItem(dismissedKey(workspaceId), "1");
    setDismissed(true);
  };
  return (
    <section
      aria-label="Storage warning"
      className="mb-4 flex items-start gap-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
    >
      <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0" />
      <p className="min-w-0 flex-1">
        <strong className="font-semibold">Storage warning: </strong>
        {budgetMessage(budget)}{" "}
        <Link href="/settings/data" className="font-medium underline underline-offset-2">
          Review in Settings › Data
        </Link>
      </p>
      <button
        type="button"
        onClick={dismiss}
        className="rounded p-0.5 hover:bg-amber-100 dark:hover:bg-amber-900"
        aria-label="Dismiss the storage warning"
      >
        <X aria-hidden className="size-4" />
      </button>
    </section>
  );
}
