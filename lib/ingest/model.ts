import type { RunStatus, Source } from "../contracts/executions.ts";

/**
 * The internal model every source maps to (lib/ingest/sources/*), then protection, then storage.
 * Field names follow the database columns of `spans` and `track_events`.
 */
export type SpanRow = {
  id: string;
  execution_id: string;
  parent_id: string | null;
  type: string;
  name: string;
  step_type: string | null;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  input: unknown;
  output: unknown;
  metadata: unknown;
  error: unknown;
  llm: unknown;
  llm_model: string | null;
  tokens_input: number | null;
  tokens_output: number | null;
  tokens_total: number | null;
  http_method: string | null;
  http_url: string | null;
  http_status: number | null;
  message: unknown;
  message_role: string | null;
  /** USD of an LLM call (client-sent or priced at acceptance, lib/costs); absent: none. */
  cost?: number | null;
  /** Acceptance order (lib/ingest/version.ts); given when the batch is queued, if absent. */
  version?: number;
};

/** The fields every span has; the rest are empty unless its format carries them. */
type SpanIdentity = "id" | "execution_id" | "parent_id" | "type" | "name" | "status" | "started_at";

/** A span row's other fields, all empty: adapters spread this, then set what their format carries. */
export function emptySpanFields(): Omit<SpanRow, SpanIdentity> {
  return {
    step_type: null,
    ended_at: null,
    input: null,
    output: null,
    metadata: null,
    error: null,
    llm: null,
    llm_model: null,
    tokens_input: null,
    tokens_output: null,
    tokens_total: null,
    http_method: null,
    http_url: null,
    http_status: null,
    message: null,
    message_role: null,
  };
}

/** Execution-level context carried by the spans of a batch (agent, ids, identify). */
export type ExecutionContext = {
  execution_id: string;
  agent: string;
  /** True when the agent name came from the execution's root span (it then wins over a stored one). */
  agent_from_root: boolean;
  thread_id: string | null;
  session_id: string | null;
  company_id: string | null;
  identify_type: string | null;
  identify_value: string | null;
  external_id: string | null;
};

/** The agent of an execution or event whose source names none. */
export const DEFAULT_AGENT = "default";

/** An execution context's ids, all empty: adapters spread this, then set what their format carries. */
export function emptyContextFields(): Omit<ExecutionContext, "execution_id" | "agent" | "agent_from_root"> {
  return {
    thread_id: null,
    session_id: null,
    company_id: null,
    identify_type: null,
    identify_value: null,
    external_id: null,
  };
}

export type EventRow = {
  id: string;
  agent: string;
  name: string;
  properties: Record<string, unknown>;
  timestamp: string;
  thread_id: string | null;
  execution_id: string | null;
  /** Acceptance order (lib/ingest/version.ts); given when the batch is queued, if absent. */
  version?: number;
};

export type { Source };

export type SpanBatch = {
  kind: "spans";
  workspaceId: string;
  source: Source;
  spans: SpanRow[];
  executions: ExecutionContext[];
  /** The ingest request the batch came from (kept with an item the writer cannot store). */
  requestId?: string;
};
/**
 * A span batch as it is queued and written: rows deduplicated, sorted and already serialized as the
 * SQL parameter, so the worker neither parses them back into objects nor serializes them again.
 */
type SpanJobBase = {
  workspaceId: string;
  source: Source;
  /** One per execution, in id order, with the earliest start among the batch's spans. */
  executions: (ExecutionContext & { started_at: string })[];
  count: number;
  requestId?: string;
};
/** Rows as one jsonb parameter (embedded PGlite, and jobs queued by earlier versions). */
export type SpanRowsJob = SpanJobBase & {
  kind: "span_rows";
  /** JSON array of SpanRow. */
  rows: string;
};
/** Rows as `COPY … FROM STDIN` text (Postgres). */
export type SpanCopyJob = SpanJobBase & {
  kind: "span_copy";
  /**
   * COPY text format (lib/ingest/serialize.ts): with `layout: 4`, columns `workspace_id`, then
   * SPAN_COPY_COLUMNS (the last ones `cost`, `version`). Jobs queued by earlier versions: `layout: 3`
   * lacks `cost`, `layout: 2` also `version`, no layout also `workspace_id`.
   */
  copy: string;
  layout?: 2 | 3 | 4;
};
export type SpanJob = SpanRowsJob | SpanCopyJob;
export type EventBatch = { kind: "events"; workspaceId: string; events: EventRow[]; requestId?: string };
export type IngestBatch = SpanBatch | SpanJob | EventBatch;
