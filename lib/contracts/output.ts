import { z } from "zod";
import { isStorableText, ZEpochMs, zStorableId } from "./common.ts";

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

export const ZOutputNode: z.ZodType<OutputNode> = z.lazy(() =>
  z.looseObject({
    // The root's id is the execution id; the others make span ids (see mapOutputTrace).
    id: zStorableId(1, 512),
    kind: z.string().max(128),
    name: z.string().max(1024),
    startedAt: ZMs,
    endedAt: ZMs.nullish(),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    error: z.unknown().optional(),
    children: z
      .array(ZOutputNode)
      .max(OUTPUT_MAX_CHILDREN, `At most ${OUTPUT_MAX_CHILDREN} children a node.`)
      .optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  }),
);

/** The body of `POST /api/v1/ingest/output`: a trace file's root node, which must be a workflow run. */
export const ZOutputTraceFile = ZOutputNode.superRefine((root, ctx) => {
  if (root.kind !== "workflow")
    ctx.addIssue({
      code: "custom",
      path: ["kind"],
      message: 'The root of an Output trace is the workflow run (kind "workflow").',
    });
  if (root.id.length > 128)
    ctx.addIssue({ code: "custom", path: ["id"], message: "The run id (execution id) is at most 128 characters." });
});

export const ZOutputIngestQuery = z.object({
  workflowId: z.string().trim().pipe(zStorableId(1, 256)).optional(),
});

export type OutputIngestResult = { executionId: string; spans: number; workflowId: string | null };

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

/** One run of a workflowId's chain (runs that continued as new), as the execution page lists it. */
export type OutputChainRun = {
  id: string;
  name: string;
  status: "running" | "success" | "error" | "cancelled";
  startedAt: string;
  endedAt: string | null;
};

/**
 * `GET /api/v1/observability/executions/:id/chain`: the Output runs sharing this execution's
 * workflowId, oldest first; `position` is 1-based. `chain` is null when the execution is the only one.
 */
export type OutputChain = {
  chain: { workflowId: string; position: number; total: number; runs: OutputChainRun[] } | null;
};
