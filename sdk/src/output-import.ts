import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ApiClientError, createApiClient } from "../../lib/contracts/client.ts";
import { OUTPUT_FILE_NAME_HEADER, type OutputIngestResult } from "../../lib/contracts/output.ts";

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
  const client = createApiClient({
    baseUrl: apiUrl,
    fetch: opts.fetch ?? globalThis.fetch.bind(globalThis),
    headers: { authorization: `Bearer ${apiKey}` },
  });
  const files = await findOutputTraceFiles(root);
  const results: OutputFileResult[] = [];
  for (const [i, file] of files.entries()) {
    let result: OutputFileResult;
    try {
      const { status, data } = await client.call("POST /api/v1/ingest/output", {
        body: await readFile(file),
        headers: {
          "content-type": "application/json",
          [OUTPUT_FILE_NAME_HEADER]: encodeURIComponent(path.basename(file)),
        },
      });
      result = { file, ok: true, created: status === 201, result: data as OutputIngestResult };
    } catch (e) {
      result = { file, ok: false, error: reasonOf(e as Error) };
    }
    results.push(result);
    opts.onFile?.(result, i + 1, files.length);
  }
  return results;
}

/** Why a file failed: the server's message and fields, its status, or the network's error. */
function reasonOf(e: Error): string {
  if (!(e instanceof ApiClientError) || e.status === 0 || e.code === "invalid_response") return e.message;
  if (!e.fromApi) return `the server answered ${e.status}`;
  const fields = e.details.map((d) => `${d.path}: ${d.message}`).join("; ");
  return `${e.status} ${e.message}${fields ? ` (${fields})` : ""}`;
}
