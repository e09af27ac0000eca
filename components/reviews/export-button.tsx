"use client";

import { Download } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { api } from "@/lib/client/api";
import { plural } from "@/lib/format";
import { Button } from "../ui/button";

const NOTHING = "Nothing to export: no resolved review matches. Resolve reviews first, then export them.";

/**
 * Downloads resolved reviews as fine-tuning JSONL. The response is streamed; the progress bar
 * counts lines against x-total-count. With nothing to export it says so instead of downloading an
 * empty file.
 */
export function ExportButton({ agentId }: { agentId?: string }) {
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [note, setNote] = useState<{ tone: "error" | "info"; text: string } | null>(null);

  async function download() {
    setNote(null);
    const res = await api
      .fetch("GET /api/v1/runtime/v1/reviews/export", {
        query: { format: "jsonl", status: "resolved", agentId: agentId || undefined },
      })
      .catch(() => null);
    if (!res?.ok || !res.body) {
      setNote({ tone: "error", text: "Export failed." });
      toast.error("Export failed.");
      return;
    }
    const total = Number(res.headers.get("x-total-count") ?? Number.NaN);
    if (total === 0) {
      await res.body.cancel();
      setNote({ tone: "info", text: NOTHING });
      toast.info(NOTHING);
      return;
    }
    setProgress({ done: 0, total: Number.isFinite(total) ? total : 0 });
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let lines = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      for (const b of value) if (b === 10) lines++;
      setProgress({ done: lines, total });
    }
    setProgress(null);
    if (lines === 0) {
      setNote({ tone: "info", text: NOTHING });
      toast.info(NOTHING);
      return;
    }
    const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: "application/x-ndjson" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `runlens-training-${new Date().toISOString().slice(0, 10)}.jsonl`;
    document.body.append(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
    toast.success(`Exported ${plural(lines, "example")} for fine-tuning`);
  }

  return (
    <div className="flex items-center gap-2">
      <Button variant="secondary" size="sm" onClick={download} disabled={!!progress}>
        <Download className="size-4" /> Export for fine-tuning
      </Button>
      {progress && (
        <span className="flex items-center gap-2 text-xs text-zinc-500" role="status">
          <progress value={progress.done} max={Math.max(progress.total, 1)} className="h-1.5 w-32" />
          {progress.done} / {progress.total}
        </span>
      )}
      {note && (
        <span
          role={note.tone === "error" ? "alert" : "status"}
          data-testid="export-note"
          className={
            note.tone === "error" ? "text-xs text-red-600" : "max-w-xs text-xs text-zinc-600 dark:text-zinc-400"
          }
        >
          {note.tone === "error" ? note.text : "Nothing to export."}
        </span>
      )}
    </div>
  );
}
