import type { TraceRecord, TrackEvent } from "../../../contracts/ingest.ts";
import { DEFAULT_AGENT, type EventRow, type ExecutionContext, type SpanRow } from "../../model.ts";

const ROOT_TYPES = new Set(["agent_execution", "workflow_execution", "custom_execution"]);

/**
 * Maps a validated SDK trace record to the internal span row. `cost` and `version` are declared here,
 * unset, though pricing and acceptance give them later: rows that gain them afterwards, some and not
 * others, end up with several hidden classes, and the COPY text of a batch took ~15% longer
 * (docs/performance.md, Ingest, eighth session). Unset they are absent from JSON and NULL in COPY.
 */
export function mapTraceRecord(t: TraceRecord): SpanRow {
  const status = t.status ?? (t.error ? "error" : t.endedAt ? "success" : "running");
  const usage = t.llm?.usage;
  const total =
    usage?.totalTokens ??
    (usage?.inputTokens != null || usage?.outputTokens != null
      ? (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0)
      : null);
  let llm: Record<string, unknown> | null = null;
  if (t.llm) {
    const { usage: _usage, ...rest } = t.llm;
    llm = rest;
    llm.usage = usage ?? null;
  }
  return {
    id: t.id,
    execution_id: t.executionId,
    parent_id: t.parentId ?? null,
    type: t.type,
    name: t.name,
    step_type: t.stepType ?? null,
    status,
    started_at: t.startedAt.toISOString(),
    ended_at: t.endedAt?.toISOString() ?? null,
    input: t.input ?? null,
    output: t.output ?? null,
    metadata: t.metadata ?? null,
    error: t.error ?? null,
    llm,
    llm_model: t.llm?.model ?? null,
    tokens_input: usage?.inputTokens ?? null,
    tokens_output: usage?.outputTokens ?? null,
    tokens_total: total,
    http_method: t.http?.method.toUpperCase() ?? null,
    http_url: t.http?.url ?? null,
    http_status: t.http?.statusCode ?? null,
    message: t.message ?? null,
    message_role: t.message?.role ?? null,
    cost: undefined,
    version: undefined,
  };
}

/** Per execution of a batch: agent and context ids, preferring the root span's values. */
export function executionContexts(records: TraceRecord[]): ExecutionContext[] {
  const byExec = new Map<string, TraceRecord[]>();
  for (const r of records) {
    const list = byExec.get(r.executionId);
    if (list) list.push(r);
    else byExec.set(r.executionId, [r]);
  }
  return [...byExec].map(([executionId, list]) => {
    const ordered = [...list].sort(
      (a, b) => rootRank(a) - rootRank(b) || a.startedAt.getTime() - b.startedAt.getTime(),
    );
    const root = ordered.find((r) => !r.parentId);
    const first = <K extends keyof TraceRecord>(k: K) => ordered.find((r) => r[k] != null)?.[k] ?? null;
    const identify = first("identify") as TraceRecord["identify"];
    return {
      execution_id: executionId,
      agent: root?.agent ?? (first("agent") as string | null) ?? DEFAULT_AGENT,
      agent_from_root: !!root?.agent,
      thread_id: first("threadId") as string | null,
      session_id: first("sessionId") as string | null,
      company_id: first("companyId") as string | null,
      identify_type: identify?.type ?? null,
      identify_value: identify?.value ?? null,
      external_id: null,
    };
  });
}

function rootRank(r: TraceRecord): number {
  if (!r.parentId && ROOT_TYPES.has(r.type)) return 0;
  return r.parentId ? 2 : 1;
}

export function mapTrackEvent(e: TrackEvent, fallbackId: () => string, now: Date): EventRow {
  return {
    id: e.id ?? fallbackId(),
    agent: e.agent ?? DEFAULT_AGENT,
    name: e.name,
    properties: e.properties ?? {},
    timestamp: (e.timestamp ?? now).toISOString(),
    thread_id: e.threadId ?? null,
    execution_id: e.executionId ?? null,
  };
}
