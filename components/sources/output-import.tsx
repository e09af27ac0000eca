"use client";

import { useQueryClient } from "@tanstack/react-query";
import { FileJson, Upload } from "lucide-react";
import Link from "next/link";
import { useEffect, useState } from "react";
import { api } from "@/lib/client/api";
import { errorFromResponse } from "@/lib/contracts/client";
import { OUTPUT_FILE_NAME_HEADER, OUTPUT_TRACE_MAX_BYTES, type OutputIngestResult } from "@/lib/contracts/output";
import { formatNumber } from "@/lib/format";
import { executionKeys } from "../traces/queries";
import { Button } from "../ui/button";
import { Badge } from "../ui/card";
import { cn } from "../ui/cn";

type FileState =
  | { status: "queued" }
  | { status: "uploading"; percent: number }
  | { status: "imported"; result: OutputIngestResult; again: boolean }
  | { status: "failed"; reason: string };

type Item = { key: string; file: File; state: FileState };

/** The reason an import failed, from the API's error JSON (naming the bad field) or the status. */
function failureReason(status: number, text: string): string {
  const err = errorFromResponse(status, text);
  if (!err.fromApi) return status === 0 ? "The server could not be reached." : `The server answered ${status}.`;
  const fields = err.details.map((d) => `${d.path}: ${d.message}`).join("; ");
  return fields ? `${err.message} (${fields})` : err.message;
}

/**
 * Posts one file as it is (no parsing in the browser), reporting upload progress: with
 * XMLHttpRequest, as fetch reports no upload progress; the URL and the error reading are the API
 * client's.
 */
function uploadFile(file: File, onProgress: (percent: number) => void): Promise<FileState> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", api.url("POST /api/v1/ingest/output"));
    xhr.withCredentials = true;
    xhr.setRequestHeader("content-type", "application/json");
    xhr.setRequestHeader(OUTPUT_FILE_NAME_HEADER, encodeURIComponent(file.name));
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      if (xhr.status === 200 || xhr.status === 201)
        resolve({
          status: "imported",
          result: JSON.parse(xhr.responseText) as OutputIngestResult,
          again: xhr.status === 200,
        });
      else resolve({ status: "failed", reason: failureReason(xhr.status, xhr.responseText) });
    };
    xhr.onerror = () => resolve({ status: "failed", reason: "The upload was interrupted (network error)." });
    xhr.send(file);
  });
}

/**
 * Imports Output trace files (`logs/runs/<workflow>/<timestamp>_<workflowId>.json`): drop several
 * or pick them; each is uploaded in turn with its progress and result, and links to its execution.
 */
export function OutputImport() {
  const queryClient = useQueryClient();
  const [items, setItems] = useState<Item[]>([]);
  const [dragging, setDragging] = useState(false);
  const busy = items.some((i) => i.state.status === "queued" || i.state.status === "uploading");

  const update = (key: string, state: FileState) =>
    setItems((list) => list.map((i) => (i.key === key ? { ...i, state } : i)));

  const importFiles = async (files: File[]) => {
    const added: Item[] = files.map((file, n) => ({
      key: `${Date.now()}-${n}-${file.name}`,
      file,
      state:
        file.size > OUTPUT_TRACE_MAX_BYTES
          ? { status: "failed", reason: `Larger than ${OUTPUT_TRACE_MAX_BYTES / 1024 / 1024} MB.` }
          : { status: "queued" },
    }));
    setItems((list) => [...added, ...list]);
    for (const item of added) {
      if (item.state.status !== "queued") continue;
      update(item.key, { status: "uploading", percent: 0 });
      const done = await uploadFile(item.file, (percent) => update(item.key, { status: "uploading", percent }));
      update(item.key, done);
    }
    await queryClient.invalidateQueries({ queryKey: executionKeys.lists() });
  };

  // The file input exists once the page is interactive: files picked on a server-rendered input
  // before then raise a change event React never sees, and were silently ignored.
  const [interactive, setInteractive] = useState(false);
  useEffect(() => setInteractive(true), []);

  const imported = items.filter((i) => i.state.status === "imported").length;
  const failed = items.filter((i) => i.state.status === "failed").length;

  return (
    <div className="space-y-3">
      <label
        htmlFor="output-trace-files"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const files = [...e.dataTransfer.files];
          if (files.length > 0) void importFiles(files);
        }}
        data-testid="output-dropzone"
        className={cn(
          "flex cursor-pointer flex-col items-center gap-2 rounded-md border-2 border-dashed px-4 py-6 text-center",
          dragging
            ? "border-indigo-500 bg-indigo-50 dark:bg-indigo-950"
            : "border-zinc-300 hover:border-zinc-400 dark:border-zinc-700",
        )}
      >
        <Upload className="size-5 text-zinc-400" aria-hidden="true" />
        <span>
          Drop Output trace files here (<code className="font-mono text-xs">logs/runs/…/*.json</code>), or{" "}
          <span className="text-indigo-600 underline dark:text-indigo-400">choose files</span>.
        </span>
        {interactive && (
          <input
            id="output-trace-files"
            type="file"
            accept=".json,application/json"
            multiple
            className="sr-only"
            aria-label="Output trace files"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = "";
              if (files.length > 0) void importFiles(files);
            }}
          />
        )}
      </label>

      {items.length > 0 && (
        <>
          <ul className="divide-y divide-zinc-100 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
            {items.map((item) => (
              <FileRow key={item.key} item={item} />
            ))}
          </ul>
          {!busy && (
            <div className="flex flex-wrap items-center gap-3" role="status" data-testid="output-import-summary">
              <span>
                {formatNumber(imported)} imported, {formatNumber(failed)} failed.
              </span>
              {imported > 0 && (
                <Link href="/executions?source=output" className="text-indigo-600 hover:underline dark:text-indigo-400">
                  View Output executions
                </Link>
              )}
              <Button variant="ghost" size="sm" onClick={() => setItems([])}>
                Clear
              </Button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

function FileRow({ item }: { item: Item }) {
  const { state } = item;
  return (
    <li className="flex flex-wrap items-center gap-3 px-3 py-2" data-testid="output-import-file">
      <FileJson className="size-4 shrink-0 text-zinc-400" aria-hidden="true" />
      <span className="min-w-0 flex-1 truncate font-mono text-xs" title={item.file.name}>
        {item.file.name}
      </span>
      {state.status === "queued" && <Badge>queued</Badge>}
      {state.status === "uploading" && (
        <span className="flex items-center gap-2 text-xs text-zinc-500">
          <progress max={100} value={state.percent} className="h-1.5 w-24" aria-label={`Uploading ${item.file.name}`} />
          {state.percent}%
        </span>
      )}
      {state.status === "imported" && (
        <span className="flex items-center gap-2">
          <Badge tone="green">{state.again ? "re-imported" : "imported"}</Badge>
          <span className="text-xs text-zinc-500">{formatNumber(state.result.spans)} spans</span>
          <Link
            href={`/executions/${encodeURIComponent(state.result.executionId)}`}
            className="text-xs text-indigo-600 hover:underline dark:text-indigo-400"
          >
            Open execution
          </Link>
        </span>
      )}
      {state.status === "failed" && (
        <span className="flex min-w-0 basis-full items-center gap-2 sm:basis-auto">
          <Badge tone="red">failed</Badge>
          <span className="min-w-0 text-xs break-words text-red-700 dark:text-red-300">{state.reason}</span>
        </span>
      )}
    </li>
  );
}
