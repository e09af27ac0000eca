import { createHash } from "node:crypto";
import { isStorableText, MAX_TOKENS } from "../../../contracts/common.ts";
import type { OutputNode } from "../../../contracts/output.ts";
import { runAtOnce } from "../../../event-loop.ts";
import { type ExecutionContext, emptyContextFields, emptySpanFields, type SpanRow } from "../../model.ts";

export type { OutputNode };

/**
 * Maps an Output trace file (shared/spec/output-trace-format.md) to spans of one execution.
 *
 * - The execution id is the root run id; the workflowId (file name, else the getTraceDestinations
 *   input) becomes its external id, which links the runs of a continue-as-new chain.
 * - Node ids repeat inside a file (a retried step is the same node N times, a child workflow's step
 *   "1" overwrites the root's internal step "1" and then sits in both places), so span ids come
 *   from the node's path in the tree: the ids of its ancestors and itself, each with its occurrence
 *   number among same-id siblings. A re-import of the file, or of a later version of it (files are
 *   rewritten while a run goes on; nodes are only ever added), yields the same ids.
 * - Copies of one node (same id, kind, name and times: the builder's one object serialized twice)
 *   are all kept as spans; all but the original are marked `repeatOf` and carry no tokens or cost,
 *   so the execution's totals (sums of span tokens) count each LLM call once. The original is the
 *   first copy in depth-first order that sits under its own workflow (see `isMisplaced`).
 */

export const CONTINUED_AS_NEW = "<<continued_as_new>>";
export const ASYNC_HANDOFF = "<<async_handoff>>";
const NOT_FINISHED_PREFIX = "<<Workflow did not finish yet";
const TRACE_DESTINATIONS = "__internal#getTraceDestinations";
const SEND_HTTP_REQUEST = "__internal#sendHttpRequest";

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | null =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : null;
const asStr = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
/** A whole count up to `max` (its column's range), else null: a value that does not fit is dropped, never the run. */
const asCount = (v: unknown, max: number): number | null => {
  const n = typeof v === "number" ? Math.round(v) : Number.NaN;
  return n >= 0 && n <= max ? n : null;
};
const asTokens = (v: unknown) => asCount(v, MAX_TOKENS);
const asNum = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

const FILE_NAME = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{3})Z_(.+)\.json$/;

/**
 * The workflowId and start time from a trace file's name `<timestamp>_<workflowId>.json`, where the
 * timestamp is the ISO start time with `:`, `T` and `.` replaced by `-` (spec §7); null otherwise.
 */
export function parseOutputFileName(fileName: string): { workflowId: string; startedAt: string } | null {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const m = FILE_NAME.exec(base);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms, workflowId] = m;
  if (!isStorableText(workflowId)) return null;
  return { workflowId, startedAt: `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z` };
}

/** The workflowId a trace records: the root's getTraceDestinations input (spec §5), when it is the root's own. */
export function workflowIdOf(root: OutputNode): string | null {
  for (const child of root.children ?? []) {
    if (child.kind !== "internal_step" || child.name !== TRACE_DESTINATIONS) continue;
    const input = asObj(child.input);
    const runId = asStr(input?.runId);
    if (runId && runId !== root.id) continue;
    const id = asStr(input?.workflowId);
    if (id && isStorableText(id)) return id;
  }
  return null;
}

/**
 * An error as the span panel shows it (`name: message`, stack) with every serialized key kept
 * (`cause`, Temporal's `activityType`, `retryState`, ...). Output's HTTP errors are
 * `{status, statusText}` without a message: the message becomes "401 Unauthorized".
 */
export function mapOutputError(error: unknown): Obj | null {
  if (error === undefined || error === null) return null;
  const o = asObj(error);
  if (!o) return { message: typeof error === "string" ? error : JSON.stringify(error) };
  const status = asNum(o.status);
  const statusText = asStr(o.statusText);
  const message =
    asStr(o.message) ??
    (status !== null ? `${status}${statusText ? ` ${statusText}` : ""}` : null) ??
    statusText ??
    asStr(o.name) ??
    JSON.stringify(o).slice(0, 500);
  const name = asStr(o.name) ?? (status !== null ? "HTTPError" : null);
  return { ...o, ...(name ? { name } : {}), message };
}

const iso = (ms: number) => new Date(ms).toISOString();

function statusOf(node: OutputNode, rootRunning: boolean): SpanRow["status"] {
  if (node.error !== undefined && node.error !== null) {
    return asObj(node.error)?.name === "CancelledFailure" ? "cancelled" : "error";
  }
  if (node.endedAt === null || node.endedAt === undefined) return rootRunning ? "running" : "cancelled";
  return "success";
}

const spanIdOf = (executionId: string, path: string) =>
  path === "" ? executionId : `${executionId}/${createHash("sha256").update(path).digest("hex").slice(0, 24)}`;

/** What identifies the builder's one object across the copies the file holds. */
const repeatKey = (n: OutputNode) => JSON.stringify([n.id, n.kind, n.name, n.startedAt, n.endedAt ?? null]);

/**
 * A step-like node named `<workflow>#<step>` under another workflow than its own: the copy that a
 * child workflow's activity id collision left under the parent (spec §4.3.1).
 */
const isMisplaced = (node: OutputNode, workflow: string) =>
  node.kind !== "workflow" &&
  node.name.includes("#") &&
  !node.name.startsWith(`${workflow}#`) &&
  !node.name.startsWith("__internal#");

/** The tree as visitAll leaves it: per node in depth-first order, its parent's index, span id and original. */
type Visited = { nodes: OutputNode[]; parents: number[]; ids: string[]; originals: number[] };

/**
 * The tree in depth-first order (children in file order) with each node's span id and the index of
 * its original (see `repeatOf`), iteratively: deep traces must not overflow the stack. Yields after
 * each node. A visited node keeps no object of its own (arrays by index): a 20 MB file has 160,000.
 */
function* visitAll(root: OutputNode): Generator<undefined, Visited> {
  const nodes: OutputNode[] = [];
  const parents: number[] = [];
  const ids: string[] = [];
  const misplaced: boolean[] = [];
  // The original of each repeated node: the first copy in place, else the first copy.
  const primary = new Map<string, number>();
  const keys: string[] = [];
  type Pending = { node: OutputNode; parent: number; path: string; workflow: string; misplaced: boolean };
  const stack: Pending[] = [{ node: root, parent: -1, path: "", workflow: root.name, misplaced: false }];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const index = nodes.push(v.node) - 1;
    parents.push(v.parent);
    ids.push(spanIdOf(root.id, v.path));
    misplaced.push(v.misplaced);
    const key = repeatKey(v.node);
    keys.push(key);
    const known = primary.get(key);
    if (known === undefined || (misplaced[known] && !v.misplaced)) primary.set(key, index);
    const children = v.node.children ?? [];
    const seenIds = new Map<string, number>();
    const workflow = v.node.kind === "workflow" ? v.node.name : v.workflow;
    const next = children.map((child) => {
      const n = seenIds.get(child.id) ?? 0;
      seenIds.set(child.id, n + 1);
      const segment = `${child.id.replaceAll("\\", "\\\\").replaceAll("/", "\\/")}#${n}`;
      return {
        node: child,
        parent: index,
        path: `${v.path}/${segment}`,
        workflow,
        misplaced: v.misplaced || isMisplaced(child, workflow),
      };
    });
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]);
    yield;
  }
  return { nodes, parents, ids, originals: keys.map((k) => primary.get(k)!) };
}

/** The workflowId of a file: the one given (file name, query), else the one the trace records. */
const workflowIdFor = (root: OutputNode, opts: { workflowId?: string | null }) => opts.workflowId ?? workflowIdOf(root);

/** The execution of a trace file: the root run, its workflowId as the external id (links a chain). */
export function outputExecution(root: OutputNode, opts: { workflowId?: string | null } = {}): ExecutionContext {
  return {
    execution_id: root.id,
    agent: root.name || "output",
    agent_from_root: true,
    ...emptyContextFields(),
    external_id: workflowIdFor(root, opts),
  };
}

/**
 * The spans of a trace file (a validated root), in depth-first order, one at a time: first the
 * tree is visited (yielding undefined after each node), then each span is yielded. Work is in
 * steps of one node, so a caller can take it in slices (lib/event-loop.ts).
 */
export function* mapOutputSpans(
  root: OutputNode,
  opts: { workflowId?: string | null } = {},
): Generator<SpanRow | undefined, void> {
  const workflowId = workflowIdFor(root, opts);
  const rootRunning = root.endedAt === null || root.endedAt === undefined;
  const { nodes, parents, ids, originals } = yield* visitAll(root);
  // Each span's start in ms, as stored (whole ms): a child that never started sits there.
  const starts: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const parent = parents[i];
    const original = originals[i];
    const span = mapNode(nodes[i], {
      id: ids[i],
      executionId: root.id,
      parentId: parent < 0 ? null : ids[parent],
      parentStart: parent < 0 ? root.startedAt : starts[parent],
      isRoot: i === 0,
      rootRunning,
      repeatOf: original === i ? null : ids[original],
      workflowId,
    });
    starts.push(Date.parse(span.started_at));
    yield span;
  }
}

/** A whole trace file's spans and execution at once (files of a bounded size: live runs, tests). */
export function mapOutputTrace(
  root: OutputNode,
  opts: { workflowId?: string | null } = {},
): { spans: SpanRow[]; executions: ExecutionContext[] } {
  const spans: SpanRow[] = [];
  runAtOnce(mapOutputSpans(root, opts), (span) => {
    if (span) spans.push(span);
  });
  return { spans, executions: [outputExecution(root, opts)] };
}

type Place = {
  id: string;
  executionId: string;
  parentId: string | null;
  parentStart: number;
  isRoot: boolean;
  rootRunning: boolean;
  repeatOf: string | null;
  workflowId: string | null;
};

function mapNode(node: OutputNode, at: Place): SpanRow {
  // A node that was never started (startedAt 0) sits at its parent's start; clocks of different
  // workers may disagree, so an end before the start is clamped to the start.
  const startedMs = node.startedAt > 0 ? node.startedAt : at.parentStart;
  const endedMs = node.endedAt === null || node.endedAt === undefined ? null : Math.max(node.endedAt, startedMs);
  const attributes = asObj(node.attributes) ?? {};
  const metadata: Obj = { kind: node.kind, nodeId: node.id };
  if (Object.keys(attributes).length > 0) metadata.attributes = attributes;
  if (at.repeatOf) metadata.repeatOf = at.repeatOf;

  const row: SpanRow = {
    ...emptySpanFields(),
    id: at.id,
    execution_id: at.executionId,
    parent_id: at.parentId,
    type: "custom_event",
    name: node.name || node.kind || "(unnamed)",
    status: statusOf(node, at.rootRunning),
    started_at: iso(startedMs),
    ended_at: endedMs === null ? null : iso(endedMs),
    input: node.input ?? null,
    output: node.output ?? null,
    metadata,
    error: mapOutputError(node.error),
  };

  if (node.output === ASYNC_HANDOFF) metadata.asyncHandoff = true;
  switch (node.kind) {
    case "workflow":
      row.type = "workflow_execution";
      if (at.isRoot && at.workflowId) metadata.workflowId = at.workflowId;
      if (!at.isRoot) metadata.childWorkflow = true;
      if (node.output === CONTINUED_AS_NEW) metadata.continuedAsNew = true;
      // The builder's placeholder for an open root is not the workflow's output.
      if (typeof node.output === "string" && node.output.startsWith(NOT_FINISHED_PREFIX)) {
        row.output = null;
        metadata.notFinished = node.output;
      }
      break;
    case "step":
    case "evaluator":
      row.type = "workflow_step";
      row.step_type = node.kind;
      break;
    case "internal_step":
      // Framework plumbing, not a user step: shown generically (or as the HTTP call it made).
      metadata.internal = true;
      if (node.name === SEND_HTTP_REQUEST) mapHttp(row, node, asObj(node.output));
      break;
    case "llm":
      mapLlm(row, node, attributes, at.repeatOf !== null);
      break;
    case "http":
      mapHttp(row, node, asObj(node.output));
      break;
  }
  return row;
}

function mapLlm(row: SpanRow, node: OutputNode, attributes: Obj, repeated: boolean) {
  const input = asObj(node.input);
  const loaded = asObj(input?.loadedPrompt);
  const config = asObj(loaded?.config);
  const output = asObj(node.output);
  const usage = asObj(output?.usage);
  const cost = asObj(attributes["llm:usage"]);
  const inputTokens = asTokens(usage?.inputTokens);
  const outputTokens = asTokens(usage?.outputTokens);
  const totalTokens =
    asTokens(usage?.totalTokens) ??
    (inputTokens !== null || outputTokens !== null ? asTokens((inputTokens ?? 0) + (outputTokens ?? 0)) : null) ??
    asTokens(cost?.tokensUsed);
  const model = asStr(config?.model) ?? asStr(cost?.modelId);
  row.type = "llm_call";
  row.llm = {
    model,
    provider: asStr(config?.provider),
    promptName: asStr(input?.prompt) ?? asStr(loaded?.name),
    variables: input?.variables ?? null,
    config: loaded?.config ?? null,
    usage: usage ? { inputTokens, outputTokens, totalTokens } : null,
    cost: repeated ? null : asNum(cost?.total),
  };
  row.llm_model = model;
  if (!repeated) {
    row.tokens_input = inputTokens;
    row.tokens_output = outputTokens;
    row.tokens_total = totalTokens;
  }
  // The panel's "Result / output" is the result; usage details and provider data stay visible.
  if (output && "result" in output) {
    row.output = output.result ?? null;
    const { result: _result, ...rest } = output;
    (row.metadata as Obj).response = rest;
  }
}

function mapHttp(row: SpanRow, node: OutputNode, response: Obj | null) {
  const input = asObj(node.input);
  const method = asStr(input?.method)?.toUpperCase().slice(0, 16) ?? null;
  const url = asStr(input?.url) ?? asStr(response?.url);
  row.type = "http_call";
  row.http_method = method;
  row.http_url = url;
  row.http_status = asCount(response?.status, 999) ?? asCount(asObj(node.error)?.status, 999);
}
