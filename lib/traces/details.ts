import "server-only";
import type {
  Execution,
  ExecutionDetails,
  ExecutionOutline,
  OutlineSpan,
  PortalExecution,
  Span,
} from "../contracts/executions.ts";
import { executionSpanDates, executionSpanDays } from "../data/partitions.ts";
import type { Db } from "../db/index.ts";
import { readFrom } from "../db/replicas.ts";
import { type Int8, int8 } from "../db/sql.ts";
import { NotFoundError } from "../errors.ts";
import { processGlobal } from "../process-global.ts";
import { depthFirst, getExecution } from "./read.ts";

type SpanRecord = {
  id: string;
  executionId: string;
  parentId: string | null;
  type: string;
  name: string;
  stepType: string | null;
  status: Execution["status"];
  startedAt: Date;
  endedAt: Date | null;
  input: unknown;
  output: unknown;
  metadata: unknown;
  error: unknown;
  llm: unknown;
  /** bigint columns: a string from node-postgres, a bigint from Prisma. */
  tokensInput: Int8;
  tokensOutput: Int8;
  tokensTotal: Int8;
  httpMethod: string | null;
  httpUrl: string | null;
  httpStatus: number | null;
  message: unknown;
};

/** SpanRecord's fields from a raw `spans` row. */
const SPAN_RECORD_COLUMNS = `id, execution_id AS "executionId", parent_id AS "parentId", type, name, step_type AS "stepType",
  status, started_at AS "startedAt", ended_at AS "endedAt", input, output, metadata, error, llm,
  tokens_input AS "tokensInput", tokens_output AS "tokensOutput", tokens_total AS "tokensTotal",
  http_method AS "httpMethod", http_url AS "httpUrl", http_status AS "httpStatus", message`;

export function toSpan(r: SpanRecord, depth: number): Span {
  const llm = r.llm as Span["llm"];
  return {
    id: r.id,
    executionId: r.executionId,
    parentId: r.parentId,
    depth,
    type: r.type,
    name: r.name,
    stepType: r.stepType,
    status: r.status,
    startedAt: r.startedAt.toISOString(),
    endedAt: r.endedAt?.toISOString() ?? null,
    durationMs: r.endedAt ? r.endedAt.getTime() - r.startedAt.getTime() : null,
    input: r.input ?? null,
    output: r.output ?? null,
    metadata: r.metadata ?? null,
    error: (r.error as Span["error"]) ?? null,
    llm: llm
      ? {
          ...llm,
          usage: {
            inputTokens: int8(r.tokensInput),
            outputTokens: int8(r.tokensOutput),
            totalTokens: int8(r.tokensTotal),
          },
        }
      : null,
    http: r.httpMethod && r.httpUrl ? { method: r.httpMethod, url: r.httpUrl, statusCode: r.httpStatus } : null,
    message: (r.message as Span["message"]) ?? null,
  };
}

/**
 * One page of an execution's spans in depth-first order. The order is computed from narrow
 * columns over the whole execution; payload columns are read only for the page.
 */
async function spanPage(db: Db, execution: Execution, workspaceId: string, offset: number, limit: number) {
  const days = spanDays(db, workspaceId, execution.id);
  const ordered = await orderedOutline(db, workspaceId, execution, days);
  const page = ordered.slice(offset, offset + limit);
  // Raw rows: for a page of 1,000 spans with payloads the ORM's per-row work cost more than the query.
  const rows = page.length
    ? await db.prisma.$queryRawUnsafe<SpanRecord[]>(
        // Pruned to the execution's partitions: by id, every other partition is one more probe per span.
        `SELECT ${SPAN_RECORD_COLUMNS} FROM spans WHERE workspace_id = $1 AND id = ANY($2::text[]) AND day = ANY($3::date[])`,
        workspaceId,
        page.map((p) => p.id),
        await days(),
      )
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const traces = page.flatMap((p) => {
    const r = byId.get(p.id);
    return r ? [toSpan(r, p.depth)] : [];
  });
  return { traces, total: ordered.length };
}

/**
 * Reads an execution (404 when it is not the workspace's) and then `fn`'s reads in one snapshot (a
 * REPEATABLE READ transaction), so that the execution row and its spans agree while batches commit:
 * `execution.spanCount` equals the total of spans, and the order cache's version belongs to the
 * spans it orders. On a read replica when there is one (lib/db/replicas.ts): a hot standby runs
 * REPEATABLE READ, and its `xmin` values are the primary's.
 */
function readExecution<T>(
  db: Db,
  workspaceId: string,
  executionId: string,
  fn: (db: Db, execution: Execution) => Promise<T>,
): Promise<T> {
  return readFrom(db, workspaceId, (db) => snapshotRead(db, workspaceId, executionId, fn));
}

function snapshotRead<T>(
  db: Db,
  workspaceId: string,
  executionId: string,
  fn: (db: Db, execution: Execution) => Promise<T>,
): Promise<T> {
  return db.prisma.$transaction(
    async (tx) => {
      const snapshot: Db = { ...db, prisma: tx as unknown as Db["prisma"], pool: undefined };
      const execution = await getExecution(snapshot, workspaceId, executionId);
      if (!execution) throw new NotFoundError("execution_not_found", "No execution with this id.");
      return fn(snapshot, execution);
    },
    {
      isolationLevel: "RepeatableRead",
      timeout: 60_000, // ordering a 100,000-span execution takes seconds
      maxWait: 30_000,
    },
  );
}

export function getExecutionDetails(
  db: Db,
  workspaceId: string,
  executionId: string,
  page: { offset: number; limit: number },
): Promise<ExecutionDetails> {
  return readExecution(db, workspaceId, executionId, async (db, execution) => {
    const { traces, total } = await spanPage(db, execution, workspaceId, page.offset, page.limit);
    return {
      execution,
      traces,
      tracesTotal: total,
      tracesOffset: page.offset,
      tracesHasMore: page.offset + traces.length < total,
    };
  });
}

/** The portal's whole-execution read, capped; `truncated` says spans were left out. */
export async function getExecutionForPortal(
  db: Db,
  workspaceId: string,
  executionId: string,
  cap: number,
): Promise<PortalExecution> {
  const d = await getExecutionDetails(db, workspaceId, executionId, { offset: 0, limit: cap });
  return { execution: d.execution, traces: d.traces, truncated: d.tracesHasMore };
}

type OutlineRow = {
  id: string;
  parent_id: string | null;
  type: string;
  name: string;
  step_type: string | null;
  status: Execution["status"];
  started_at: Date;
  ended_at: Date | null;
  tokens_total: Int8;
  llm_model: string | null;
  http_status: number | null;
};

/** An execution's spans in depth-first order, from narrow columns (shared by requests: read only). */
type OrderedOutline = readonly (OutlineRow & { parentId: string | null; startedAt: Date; depth: number })[];

/**
 * Orders of large executions, so that paging through one (details pages, outline pages, the SDK's
 * iterateTraces) reads and sorts it once instead of once per page. An entry is valid for one
 * version of the execution row: every span write updates that row in the same transaction (its
 * rollup), which gives it a new `xmin`. Least recently used entries go first past the span budget.
 */
const ORDER_CACHE_MIN_SPANS = 2_000;
const ORDER_CACHE_MAX_SPANS = 200_000;
const orderCache = processGlobal("__runlensOrderCache", () => ({
  entries: new Map<string, { version: string; rows: OrderedOutline }>(),
  spans: 0,
}));

function cacheOrder(key: string, version: string, rows: OrderedOutline): void {
  const c = orderCache;
  const old = c.entries.get(key);
  if (old) {
    c.entries.delete(key);
    c.spans -= old.rows.length;
  }
  if (rows.length < ORDER_CACHE_MIN_SPANS || rows.length > ORDER_CACHE_MAX_SPANS) return;
  for (const [k, e] of c.entries) {
    if (c.spans + rows.length <= ORDER_CACHE_MAX_SPANS) break;
    c.entries.delete(k);
    c.spans -= e.rows.length;
  }
  c.entries.set(key, { version, rows });
  c.spans += rows.length;
}

/** The execution's partition days (executionSpanDays), read once and only when asked for. */
function spanDays(db: Db, workspaceId: string, executionId: string): () => Promise<string[]> {
  let days: Promise<string[]> | undefined;
  return () => {
    days ??= executionSpanDays(db, workspaceId, executionId);
    return days;
  };
}

/**
 * Every span of an execution in depth-first order, from narrow columns only (one index range
 * scan, raw rows: no ORM objects for 100,000 spans). Pages of both read APIs slice it.
 */
async function orderedOutline(
  db: Db,
  workspaceId: string,
  execution: Execution,
  days = spanDays(db, workspaceId, execution.id),
): Promise<OrderedOutline> {
  const executionId = execution.id;
  // Small executions are not cached: no version to read. The version and the spans are read in
  // one snapshot (readExecution), so a cached order always belongs to its version.
  const [v] =
    execution.spanCount < ORDER_CACHE_MIN_SPANS
      ? []
      : await db.prisma.$queryRawUnsafe<{ version: string }[]>(
          `SELECT xmin::text || ':' || span_count AS version FROM executions WHERE workspace_id = $1 AND id = $2`,
          workspaceId,
          executionId,
        );
  const key = `${workspaceId}\u0000${executionId}`;
  const hit = orderCache.entries.get(key);
  if (hit && v && hit.version === v.version) {
    orderCache.entries.delete(key); // most recently used last
    orderCache.entries.set(key, hit);
    return hit.rows;
  }
  const rows = await db.prisma.$queryRawUnsafe<OutlineRow[]>(
    `SELECT id, parent_id, type, name, step_type, status, started_at, ended_at, tokens_total, llm_model, http_status
     FROM spans WHERE workspace_id = $1 AND execution_id = $2 AND day = ANY($3::date[])`,
    workspaceId,
    executionId,
    await days(),
  );
  const ordered = depthFirst(rows.map((r) => ({ ...r, parentId: r.parent_id, startedAt: new Date(r.started_at) })));
  if (v) cacheOrder(key, v.version, ordered);
  return ordered;
}

/** Forgets cached orders (tests). */
export function clearOrderCache(): void {
  orderCache.entries.clear();
  orderCache.spans = 0;
}

/**
 * The trace tree of an execution, page by page in depth-first order, from narrow columns only
 * (one index range scan); the explorer loads a span's payload when it is opened.
 */
export function getExecutionOutline(
  db: Db,
  workspaceId: string,
  executionId: string,
  page: { offset: number; limit: number },
): Promise<ExecutionOutline> {
  return readExecution(db, workspaceId, executionId, async (db, execution) => {
    const ordered = await orderedOutline(db, workspaceId, execution);
    const slice = ordered.slice(page.offset, page.offset + page.limit);
    const spans: OutlineSpan[] = slice.map((r) => ({
      id: r.id,
      parentId: r.parent_id,
      depth: r.depth,
      type: r.type,
      name: r.name,
      stepType: r.step_type,
      status: r.status,
      startedAt: r.startedAt.toISOString(),
      endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
      tokensTotal: int8(r.tokens_total),
      llmModel: r.llm_model,
      httpStatus: r.http_status,
    }));
    return {
      execution,
      spans,
      total: ordered.length,
      offset: page.offset,
      hasMore: page.offset + spans.length < ordered.length,
    };
  });
}

/** One span with every field (the explorer's detail panel). Depth is the tree's business. */
export async function getSpan(db: Db, workspaceId: string, executionId: string, spanId: string): Promise<Span> {
  return readFrom(db, workspaceId, async (db) => {
    const days = await executionSpanDates(db, workspaceId, executionId);
    const row = await db.prisma.span.findFirst({ where: { workspaceId, executionId, id: spanId, day: { in: days } } });
    if (!row) throw new NotFoundError("span_not_found", "No span with this id in this execution.");
    return toSpan(row, 0);
  });
}
