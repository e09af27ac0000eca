import { z } from "zod";
import { epochProblem, isStorableText, ZEpochMs, ZInstantOut, zStorableId } from "./common.ts";
import { RUN_STATUSES } from "./executions.ts";

/**
 * One node of an Output (growthxai/output) trace file: the tree `build_trace_tree.js` writes to
 * `logs/runs/<workflow>/<timestamp>_<workflowId>.json` and uploads to S3 (shared/spec/
 * output-trace-format.md §4). The root is the workflow run; `id` is its Temporal runId. Ids are not
 * unique inside a file (retries and child workflows repeat nodes), so nothing here keys on them.
 */
export type OutputNode = {
  id: string;
  kind: string;
  name: string;
  /** Epoch ms (worker wall clock); 0 when the node was never started. */
  startedAt: number;
  /** Epoch ms, or null while the node is open (a running root). */
  endedAt?: number | null;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  children?: OutputNode[];
  /** Attributes by type, e.g. `llm:usage`, `http:request:count` (absent before core 0.3.0). */
  attributes?: Record<string, unknown>;
};

/** The most children one node may have (README › API › Limits; nesting is bounded by the JSON depth limit). */
export const OUTPUT_MAX_CHILDREN = 10_000;

/** A single trace file can be big (inputs and outputs are never truncated upstream). */
export const OUTPUT_TRACE_MAX_BYTES = 20 * 1024 * 1024;

/** The header a client sets to the trace file's name, so the server can read the workflowId from it. */
export const OUTPUT_FILE_NAME_HEADER = "x-output-file-name";

/** Node times: epoch ms Postgres can store (0, "never started", included). */
const ZMs = ZEpochMs;

/** A node's own fields, its children left unchecked (`checkOutputTrace` walks them one by one). */
const nodeFields = {
  // The root's id is the execution id; the others make span ids (see mapOutputTrace).
  id: zStorableId(1, 512),
  kind: z.string().max(128),
  name: z.string().max(1024),
  startedAt: ZMs,
  endedAt: ZMs.nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  children: z.array(z.unknown()).max(OUTPUT_MAX_CHILDREN, `At most ${OUTPUT_MAX_CHILDREN} children a node.`).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
};
const ZOutputNodeFields = z.looseObject(nodeFields);

/** A node and, recursively, its children: for trees of a bounded size (Output's live runs, tests). */
export const ZOutputNode: z.ZodType<OutputNode> = z.lazy(() =>
  z.looseObject({
    ...nodeFields,
    children: z
      .array(ZOutputNode)
      .max(OUTPUT_MAX_CHILDREN, `At most ${OUTPUT_MAX_CHILDREN} children a node.`)
      .optional(),
  }),
);

/** What the root of a trace file must be besides a node: the workflow run, whose id is the execution id. */
function rootIssues(root: OutputNode): z.core.$ZodIssueCustom[] {
  const issue = (field: "kind" | "id", message: string): z.core.$ZodIssueCustom => ({
    code: "custom",
    path: [field],
    message,
    input: root[field],
  });
  const issues: z.core.$ZodIssueCustom[] = [];
  if (root.kind !== "workflow")
    issues.push(issue("kind", 'The root of an Output trace is the workflow run (kind "workflow").'));
  if (root.id.length > 128) issues.push(issue("id", "The run id (execution id) is at most 128 characters."));
  return issues;
}

/** The body of `POST /api/v1/ingest/output`: a trace file's root node, which must be a workflow run. */
export const ZOutputTraceFile = ZOutputNode.superRefine((root, ctx) => {
  for (const { path, message } of rootIssues(root)) ctx.addIssue({ code: "custom", path, message });
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStorableMs = (v: unknown) => typeof v === "number" && Number.isFinite(v) && epochProblem(v) === null;

/**
 * Whether a node's own fields certainly pass ZOutputNodeFields, checked without zod: most nodes of
 * a file are valid, and zod's parse allocates for each (garbage the collector then pauses for).
 * False sends the node to zod, which names its issues.
 */
function plainlyValid(node: unknown): boolean {
  if (!isObject(node)) return false;
  const { id, kind, name, startedAt, endedAt, children, attributes } = node;
  return (
    typeof id === "string" &&
    id.length >= 1 &&
    id.length <= 512 &&
    isStorableText(id) &&
    typeof kind === "string" &&
    kind.length <= 128 &&
    typeof name === "string" &&
    name.length <= 1024 &&
    isStorableMs(startedAt) &&
    (endedAt === undefined || endedAt === null || isStorableMs(endedAt)) &&
    (children === undefined || (Array.isArray(children) && children.length <= OUTPUT_MAX_CHILDREN)) &&
    (attributes === undefined || isObject(attributes))
  );
}

/**
 * The issues ZOutputTraceFile finds in `root`, in the same order, without recursion, yielding after
 * each node: a 20 MB file holds 160,000 nodes, and zod's recursive parse takes a second for them at
 * once. Each node's own fields are checked by the same field schemas. Children are checked where
 * zod checks them (a node's `children` come after its `error` and before its `attributes`), and not
 * at all when there are too many (zod reports only that). The root's own rule (`kind`, run id
 * length) applies when zod would still apply it: when no issue anywhere is a type error (those
 * abort zod's refinements; failed checks do not).
 */
export function* checkOutputTrace(root: unknown): Generator<undefined, z.core.$ZodIssue[]> {
  const issues: z.core.$ZodIssue[] = [];
  // A node's path as a link to its parent's: written out only for a node with issues.
  type Path = { up: Path; key: string | number } | null;
  const pathOf = (at: Path): (string | number)[] => {
    const keys: (string | number)[] = [];
    for (let p = at; p; p = p.up) keys.push(p.key);
    return keys.reverse();
  };
  // Nodes to check, and the issues of checked nodes that wait for their children's to go first.
  type Pending = { node: unknown; path: Path } | { later: z.core.$ZodIssue[] };
  const stack: Pending[] = [{ node: root, path: null }];
  let aborted = false;
  for (let next = stack.pop(); next; next = stack.pop()) {
    if ("later" in next) {
      issues.push(...next.later);
      continue;
    }
    const { node, path } = next;
    const parsed = plainlyValid(node) ? null : ZOutputNodeFields.safeParse(node);
    if (parsed && !parsed.success) {
      const prefix = pathOf(path);
      const own = parsed.error.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] }));
      if (own.some((i) => i.code === "invalid_type")) aborted = true;
      const isLater = (i: z.core.$ZodIssue) => i.path[prefix.length] === "attributes";
      issues.push(...own.filter((i) => !isLater(i)));
      stack.push({ later: own.filter(isLater) });
    }
    const children = isObject(node) ? node.children : undefined;
    if (Array.isArray(children) && children.length <= OUTPUT_MAX_CHILDREN) {
      const list: Path = { up: path, key: "children" };
      for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], path: { up: list, key: i } });
    }
    yield;
  }
  if (!aborted) issues.push(...rootIssues(root as OutputNode));
  return issues;
}

export const ZOutputIngestQuery = z.object({
  workflowId: z.string().trim().pipe(zStorableId(1, 256)).optional(),
});

export const ZOutputIngestResult = z.strictObject({
  executionId: z.string(),
  spans: z.number().int(),
  workflowId: z.string().nullable(),
});
export type OutputIngestResult = z.infer<typeof ZOutputIngestResult>;

/** One run of a workflowId's chain (runs that continued as new), as the execution page lists it. */
export const ZOutputChainRun = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(RUN_STATUSES),
  startedAt: ZInstantOut,
  endedAt: ZInstantOut.nullable(),
});
export type OutputChainRun = z.infer<typeof ZOutputChainRun>;

/**
 * `GET /api/v1/observability/executions/:id/chain`: the Output runs sharing this execution's
 * workflowId, oldest first; `position` is 1-based. `chain` is null when the execution is the only one.
 */
export const ZOutputChain = z.strictObject({
  chain: z
    .strictObject({
      workflowId: z.string(),
      position: z.number().int(),
      total: z.number().int(),
      runs: z.array(ZOutputChainRun),
    })
    .nullable(),
});
export type OutputChain = z.infer<typeof ZOutputChain>;
