"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { cn } from "./cn";

/** Copies `value` to the clipboard and confirms for a moment. */
export function CopyButton({
  value,
  label = "Copy",
  className,
}: {
  value: string;
  label?: string;
  className?: string;
}) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard API unavailable (http on a LAN address): fall back to a hidden textarea.
      const ta = document.createElement("textarea");
      ta.value = value;
      document.body.append(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
    setCopied(true);
    toast.success("Copied to the clipboard");
    setTimeout(() => setCopied(false), 1500);
  }
  return (
    <button
      type="button"
      onClick={copy}
      aria-label={copied ? "Copied" : label}
      title={copied ? "Copied" : label}
      className={cn(
        "inline-flex shrink-0 items-center gap-1 rounded px-1.5 py-1 text-xs whitespace-nowrap text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800",
        className,
      )}
    >
      {copied ? <Check className="size-3.5 text-emerald-600" /> : <Copy className="size-3.5" />}
      <span>{copied ? "Copied" : label}</span>
    </button>
  );
}

/** Code to copy: the button has a column of its own, so code scrolled sideways never passes under it. */
export function CodeBlock({ code }: { code: string }) {
  return (
    <div
      className="flex items-start rounded-md border border-zinc-200 bg-zinc-50 text-left dark:border-zinc-800 dark:bg-zinc-950"
      data-testid="code-block"
    >
      <pre className="min-w-0 flex-1 overflow-x-auto p-3 font-mono text-xs leading-relaxed whitespace-pre">{code}</pre>
      <CopyButton value={code} className="m-1.5 shrink-0" />
    </div>
  );
}
