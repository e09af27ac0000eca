#!/usr/bin/env node
// The `runlens` CLI. Reads RUNLENS_API_URL and RUNLENS_API_KEY.
//   runlens debug <executionId> [--json]   the execution as a tree (status, duration, tokens, errors)
//   runlens import-output <dir|file>       import Output trace files (logs/runs/<workflow>/*.json)
import path from "node:path";
import { parseArgs } from "node:util";
import { type ExecutionDetails, Executions, type Span } from "./executions.ts";
import { importOutputTraces, type OutputFileResult } from "./output-import.ts";

const USAGE = `usage:
  runlens debug <executionId> [--json]   print an execution as a tree (--json: raw details)
  runlens import-output <dir|file>       import Output trace files (e.g. logs/runs); exit 1 if any failed
  runlens mcp                            MCP server on stdio (reviews and executions tools)

environment: RUNLENS_API_URL (default http://127.0.0.1:3000), RUNLENS_API_KEY`;

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const STATUS: Record<string, (s: string) => string> = {
  success: (s) => paint(32, s),
  error: (s) => paint(31, s),
  running: (s) => paint(36, s),
  cancelled: (s) => paint(33, s),
};

export function formatMs(ms: number | null): string {
  if (ms === null) return "running";
  if (ms < 1000) return `${ms}ms`;
  return ms < 60_000 ? `${(ms / 1000).toFixed(2)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** Renders spans (depth-first, with depth) as an indented tree with box-drawing guides. */
export function renderTree(details: Pick<ExecutionDetails, "execution">, spans: Span[]): string {
  const e = details.execution;
  const lines = [
    `${paint(1, e.name)}  ${STATUS[e.status]?.(e.status) ?? e.status}  ${formatMs(e.durationMs)}  ${e.tokens.total} tokens  agent=${e.agent}  id=${e.id}`,
  ];
  if (e.threadId) lines.push(`thread ${e.threadId}`);
  // In depth-first order a span is its parent's last child when no later span shares its parent.
  const lastChild = new Array<boolean>(spans.length);
  const seenParents = new Set<string | null>();
  for (let i = spans.length - 1; i >= 0; i--) {
    lastChild[i] = !seenParents.has(spans[i].parentId);
    seenParents.add(spans[i].parentId);
  }
  spans.forEach((s, i) => {
    const last = lastChild[i];
    const guide = `${"│  ".repeat(s.depth)}${last ? "└─ " : "├─ "}`;
    const kind = s.stepType ? `${s.type}[${s.stepType}]` : s.type;
    const tokens = s.llm?.usage?.totalTokens ? `  ${s.llm.usage.totalTokens} tokens` : "";
    const model = s.llm?.model ? `  ${s.llm.model}` : "";
    const http = s.http ? `  ${s.http.method} ${s.http.url}${s.http.statusCode ? ` → ${s.http.statusCode}` : ""}` : "";
    lines.push(
      `${guide}${kind} ${paint(1, s.name)}  ${STATUS[s.status]?.(s.status) ?? s.status}  ${formatMs(s.durationMs)}${model}${tokens}${http}`,
    );
    if (s.error) {
      const pad = `${"│  ".repeat(s.depth + 1)}   `;
      lines.push(`${pad}${paint(31, `${s.error.name ?? "Error"}: ${s.error.message}`)}`);
    }
  });
  return lines.join("\n");
}

async function debug(executionId: string, json: boolean): Promise<number> {
  const client = new Executions();
  const spans: Span[] = [];
  let first: ExecutionDetails | null = null;
  let offset = 0;
  for (;;) {
    const page = await client.getDetails(executionId, { offset, limit: 1000 });
    first ??= page;
    spans.push(...page.traces);
    offset += page.traces.length;
    if (!page.tracesHasMore || page.traces.length === 0) break;
  }
  if (json) process.stdout.write(`${JSON.stringify({ execution: first!.execution, traces: spans }, null, 2)}\n`);
  else process.stdout.write(`${renderTree(first!, spans)}\n`);
  return 0;
}

async function importOutput(root: string): Promise<number> {
  const label = (file: string) => path.relative(root, file) || path.basename(file);
  const results = await importOutputTraces(root, {
    onFile: (r: OutputFileResult, i, total) => {
      const at = `[${i}/${total}]`;
      if (r.ok)
        console.log(
          `${at} ${paint(32, r.created ? "imported" : "re-imported")} ${label(r.file)} -> ${r.result.executionId} (${r.result.spans} spans)`,
        );
      else console.log(`${at} ${paint(31, "failed")} ${label(r.file)}: ${r.error}`);
    },
  });
  const ok = results.filter((r) => r.ok);
  const created = ok.filter((r) => r.ok && r.created).length;
  const failed = results.length - ok.length;
  if (results.length === 0) {
    console.error(`No .json trace files under ${root}.`);
    return 1;
  }
  console.log(
    `${results.length} files: ${ok.length} imported (${created} new, ${ok.length - created} again), ${failed} failed`,
  );
  return failed > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === "debug" && rest[0]) return debug(rest[0], !!values.json);
  if (command === "import-output" && rest[0]) return importOutput(rest[0]);
  if (command === "mcp") {
    const { serveMcpStdio } = await import("./mcp.ts");
    await serveMcpStdio();
    return new Promise<number>(() => {}); // serve until stdin closes (the transport ends the process)
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error & { status?: number }) => {
    console.error(
      e.status === 404 ? "No such execution (or it belongs to another workspace)." : `runlens: ${e.message}`,
    );
    process.exit(1);
  },
);
