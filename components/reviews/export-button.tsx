"use client";

import { Download } from "lucide-react";
import { useState } from "react";
import { Button } from "../ui/button";

/**
 * Downloads resolved reviews as fine-tuning JSONL. The response is streamed; the progress bar
 * counts lines against x-total-count.
 */
export function ExportButton({ agentId }: { agentId?: string }) {
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function download() {
    setError(null);
    const qs = new URLSearchParams({ format: "jsonl", status: "resolved", ...(agentId ? { agentId } : {}) });
    const res = await fetch(`/api/v1/runtime/v1/reviews/export?${qs}`).catch(() => null);
    if (!res?.ok || !res.body) {
      setError("Export failed.");
      return;
    }
    const total = Number(res.headers.get("x-total-count") ?? 0);
    setProgress({ done: 0, total });
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
    const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: "application/x-ndjson" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `runlens-training-${new Date().toISOString().slice(0, 10)}.jsonl`;
    document.body.append(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
    setProgress(null);
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
      {error && <span className="text-xs text-red-600">{error}</span>}
    </div>
  );
}
