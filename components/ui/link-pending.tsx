"use client";

import { Loader2 } from "lucide-react";
import { useLinkStatus } from "next/link";
import { cn } from "./cn";

/**
 * Inside a <Link>: a spinner while the page it opens is on its way (server-rendered pages answer
 * after their query), so a click is acknowledged at once. Its row can style itself with
 * `has-[[data-pending]]:`.
 */
export function LinkPending({ label = "Opening…" }: { label?: string }) {
  const { pending } = useLinkStatus();
  return (
    <span data-pending={pending || undefined} className="inline-flex align-[-2px]">
      <Loader2
        aria-hidden="true"
        className={cn("ml-1.5 size-3.5 animate-spin text-zinc-500", !pending && "invisible")}
      />
      {pending && (
        <span role="status" className="sr-only">
          {label}
        </span>
      )}
    </span>
  );
}
