import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { OutputIngestResult } from "../../lib/contracts/output.ts";

/** One trace file's outcome: imported (new or again) or failed with the server's reason. */
export type OutputFileResult =
  | { file: string; ok: true; created: boolean; result: OutputIngestResult }
  | { file: string; ok: false; error: string };

export type OutputImportOptions = {
  apiUrl?: string;
  apiKey?: string;
  fetch?: typeof fetch;
  /** Called after each file, with its 1-based position among `total`. */
  onFile?: (result: OutputFileResult, index: number, total: number) => void;
};

const IMPORT_PATH = "/api/v1/ingest/output";

/**
 * The trace files under `root` (a file or a directory such as `logs/runs`, walked recursively;
 * hidden entries skipped), in path order: per workflow, by the timestamp that starts each name.
 */
export async function findOutputTraceFiles(root: string): Promise<string[]> {
  if ((await stat(root)).isFile()) return [root];
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith(".")) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && e.name.endsWith(".json")) out.push(full);
    }
  };
  await walk(root);
  return out;
}

/**
 * Posts each trace file as it is to `POST /api/v1/ingest/output`, one after the other, with its
 * name in `X-Output-File-Name` (the server reads the workflowId from it). Never throws for a file:
 * a failure is that file's result.
 */
export async function importOutputTraces(root: string, opts: OutputImportOptions = {}): Promise<OutputFileResult[]> {
  const apiUrl = (opts.apiUrl ?? process.env.RUNLENS_API_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
  const apiKey = opts.apiKey ?? process.env.RUNLENS_API_KEY;
  if (!apiKey) throw new Error("Runlens API key missing: set RUNLENS_API_KEY.");
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const files = await findOutputTraceFiles(root);
  const results: OutputFileResult[] = [];
  for (const [i, file] of files.entries()) {
    let result: OutputFileResult;
    try {
      const res = await doFetch(`${apiUrl}${IMPORT_PATH}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": "application/json",
          "x-output-file-name": encodeURIComponent(path.basename(file)),
        },
        body: await readFile(file),
      });
      const text = await res.text();
      if (res.status === 200 || res.status === 201)
        result = { file, ok: true, created: res.status === 201, result: JSON.parse(text) as OutputIngestResult };
      else result = { file, ok: false, error: reasonOf(res.status, text) };
    } catch (e) {
      result = { file, ok: false, error: (e as Error).message };
    }
    results.push(result);
    opts.onFile?.(result, i + 1, files.length);
  }
  return results;
}

function reasonOf(status: number, text: string): string {
  try {
    const err = (JSON.parse(text) as { error: { message: string; details?: { path: string; message: string }[] } })
      .error;
    const fields = err.details?.map((d) => `${d.path}: ${d.message}`).join("; ");
    return `${status} ${err.message}${fields ? ` (${fields})` : ""}`;
  } catch {
    return `the server answered ${status}`;
  }
}
