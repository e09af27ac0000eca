import "server-only";
import type { Execution, ExecutionList, ExecutionListQuery, ExecutionSort } from "../contracts/executions.ts";
import type { Db } from "../db/index.ts";
import { readFrom } from "../db/replicas.ts";
import { type Int8, int8 } from "../db/sql.ts";
import { ApiError } from "../errors.ts";
import { decodeCursor, encodeCursor } from "../http/cursor.ts";
import { foldText, indexable, indexedPart, searchRegex } from "./search.ts";

export type ExecutionSqlRow = {
  workspace_id: string;
  id: string;
  agent_id: string;
  agent_name: string;
  name: string;
  type: string;
  status: Execution["status"];
  source: Execution["source"];
  started_at: Date;
  ended_at: Date | null;
  duration_ms: Int8;
  thread_id: string | null;
  session_id: string | null;
  company_id: string | null;
  identify_type: string | null;
  identify_value: string | null;
  input: unknown;
  output: unknown;
  error: unknown;
  span_count: number;
  tokens_input: Int8;
  tokens_output: Int8;
  tokens_total: Int8;
  cost: number | null;
  llm_duration_ms: Int8;
  has_conversation: boolean;
};

export function fromSqlRow(r: ExecutionSqlRow): Execution {
  return {
    id: r.id,
    agentId: r.agent_id,
    agent: r.agent_name,
    name: r.name,
    type: r.type,
    status: r.status,
    startedAt: new Date(r.started_at).toISOString(),
    endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
    durationMs: int8(r.duration_ms),
    threadId: r.thread_id,
    sessionId: r.session_id,
    companyId: r.company_id,
    identify: r.identify_type && r.identify_value ? { type: r.identify_type, value: r.identify_value } : null,
    input: r.input ?? null,
    output: r.output ?? null,
    error: r.error ?? null,
    spanCount: Number(r.span_count),
    tokens: { input: int8(r.tokens_input) ?? 0, output: int8(r.tokens_output) ?? 0, total: int8(r.tokens_total) ?? 0 },
    cost: r.cost === null || r.cost === undefined ? null : Number(r.cost),
    llmDurationMs: int8(r.llm_duration_ms),
    hasConversation: r.has_conversation,
    source: r.source,
  };
}

/** Whether the database has the trigram index of execution_search (pg_trgm), per open database. */
const searchIndexed = new WeakMap<Db, Promise<boolean>>();
function hasSearchIndex(db: Db): Promise<boolean> {
  let known = searchIndexed.get(db);
  if (!known) {
    known = db.prisma
      .$queryRawUnsafe<{ ok: boolean }[]>("SELECT to_regclass('execution_search_doc_trgm') IS NOT NULL AS ok")
      .then((r) => r[0].ok);
    searchIndexed.set(db, known);
  }
  return known;
}

/**
 * A sample of execution_search.doc: about SAMPLE_ROWS texts (their first SAMPLE_CHARS characters)
 * from pages picked at random (`TABLESAMPLE SYSTEM`, a share of the pages by the table's row
 * estimate; all of a small table), folded, per open database, read again after
 * SAMPLE_REFRESH_MS (the stale one serves meanwhile). It tells the words in most rows (JSON keys,
 * ids' fixed prefixes) that the trigram index is not asked for (lib/traces/search.ts
 * `indexedPart`). Not the planner's histogram in pg_stats: ANALYZE leaves out texts over 1 KB,
 * which most previews of real agents are.
 */
const docSamples = new WeakMap<Db, { at: number; docs: Promise<string[]> }>();
const SAMPLE_ROWS = 500;
const SAMPLE_CHARS = 2000;
const SAMPLE_REFRESH_MS = 10 * 60_000;
async function readDocSample(db: Db): Promise<string[]> {
  const [t] = await db.prisma.$queryRawUnsafe<{ rows: number }[]>(
    "SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = 'execution_search'::regclass",
  );
  // reltuples is -1 before the first ANALYZE. Pages are read in order: a LIMIT would keep the
  // oldest, so only a cap against a stale estimate.
  const percent = t.rows > SAMPLE_ROWS ? Math.max(0.0001, (100 * SAMPLE_ROWS) / t.rows) : 100;
  const rows = await db.prisma.$queryRawUnsafe<{ doc: string }[]>(
    `SELECT left(doc, ${SAMPLE_CHARS}) AS doc FROM execution_search TABLESAMPLE SYSTEM ($1::float4) LIMIT ${SAMPLE_ROWS * 4}`,
    percent,
  );
  return rows.map((r) => foldText(r.doc));
}
function docSample(db: Db): Promise<string[]> {
  const known = docSamples.get(db);
  if (known && Date.now() - known.at < SAMPLE_REFRESH_MS) return known.docs;
  const read = readDocSample(db);
  const entry = { at: Date.now(), docs: known ? known.docs : read.catch((): string[] => []) };
  docSamples.set(db, entry);
  read.then(
    (docs) => {
      entry.docs = Promise.resolve(docs);
    },
    // A failed read is tried again at the next search.
    () => {
      if (docSamples.get(db) === entry) docSamples.delete(db);
    },
  );
  return entry.docs;
}

/**
 * The condition on execution_search `x` that `text` (a search's `q`, `re` the parameter holding its
 * expression) is found in its text.
 */
async function docMatches(db: Db, text: string, re: string, p: (v: unknown) => string): Promise<string> {
  const sample = await docSample(db);
  const part = indexedPart(text, (w) =>
    sample.length ? sample.reduce((n, d) => n + (d.includes(w) ? 1 : 0), 0) / sample.length : 0,
  );
  if (part === text) return `x.doc ~* ${re}`;
  // The part through the index; the whole text decides, as a call the index cannot answer (an
  // operator would be added to the index condition, common trigrams and all).
  return `x.doc ~* ${p(searchRegex(part))} AND texticregexeq(x.doc, ${re})`;
}

/** Filters execution_search does not hold: with any of them, matches are checked on executions. */
const NOT_IN_SEARCH_ROWS = [
  "agent",
  "status",
  "threadId",
  "sessionId",
  "companyId",
  "source",
  "errorMessage",
  "minDurationMs",
  "maxDurationMs",
  "minCost",
  "maxCost",
] as const;

/**
 * The `q` condition: the id or external id exactly, or the text anywhere in the name, the input or
 * output preview's JSON text or the error, in any case and accent (lib/traces/search.ts).
 * - Text with a run of three letters or digits, where the trigram index exists: matched in
 *   execution_search (one row per execution with its start, kept by triggers). Listed newest or
 *   oldest first with at most a time range (the search box), the page's matches are picked there,
 *   in order, and only those rows of executions are read: the planner either collects the index's
 *   matches and sorts them (rare text) or walks the start index checking each row (common text),
 *   whichever its statistics say is cheaper. The index is asked for the text without the words
 *   most rows hold (`docMatches`). With other filters or sorts, the matches are a condition on
 *   executions.
 * - Otherwise (shorter text, or no pg_trgm): checked on each execution while walking them in order,
 *   as ILIKE was.
 */
async function textSearch(db: Db, q: ExecutionListQuery & { q: string }, p: (v: unknown) => string): Promise<string> {
  const exact = p(q.q);
  const re = p(searchRegex(q.q));
  const ids = `e.id = ${exact} OR e.external_id = ${exact}`;
  if (!indexable(q.q) || !(await hasSearchIndex(db)))
    return `(${ids} OR runlens_execution_search_doc(e.name, e.input, e.output, e.error) ~* ${re})`;
  const matches = await docMatches(db, q.q, re, p);
  if (q.sort !== "startedAt" || NOT_IN_SEARCH_ROWS.some((k) => q[k] !== undefined))
    return `(${ids} OR e.id IN (SELECT x.execution_id FROM execution_search x WHERE x.workspace_id = $1 AND ${matches}))`;
  const dir = q.order === "asc" ? "ASC" : "DESC";
  const cond = ["x.workspace_id = $1", matches];
  if (q.from) cond.push(`x.started_at >= ${p(q.from.toISOString())}::timestamptz`);
  if (q.to) cond.push(`x.started_at <= ${p(q.to.toISOString())}::timestamptz`);
  if (q.cursor) {
    const [startedAt, id] = decodeCursor(q.cursor, 2);
    cond.push(
      `(x.started_at, x.execution_id) ${q.order === "asc" ? ">" : "<"} (${p(startedAt)}::timestamptz, ${p(id)})`,
    );
  }
  const page = `SELECT x.execution_id FROM execution_search x WHERE ${cond.join(" AND ")}
    ORDER BY x.started_at ${dir}, x.execution_id ${dir} LIMIT ${p(q.limit + 1)}`;
  return `(${ids} OR e.id = ANY(ARRAY(${page})))`;
}

export const EXECUTION_SELECT = "SELECT e.*, a.name AS agent_name FROM executions e JOIN agents a ON a.id = e.agent_id";

/**
 * Executions of one workspace, newest first, filtered as in API.md. Keyset pagination on
 * (started_at, id) follows the index executions(workspace_id, started_at DESC, id DESC). Text
 * search covers name, id, external id and the input/output previews.
 */
export function listExecutions(db: Db, workspaceId: string, q: ExecutionListQuery): Promise<ExecutionList> {
  return readFrom(db, workspaceId, (db) => listExecutionsOn(db, workspaceId, q));
}

async function listExecutionsOn(db: Db, workspaceId: string, q: ExecutionListQuery): Promise<ExecutionList> {
  const params: unknown[] = [workspaceId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ["e.workspace_id = $1"];
  if (q.agent) where.push(`a.name = ${p(q.agent)}`);
  if (q.status) where.push(`e.status = ${p(q.status)}::"RunStatus"`);
  if (q.threadId) where.push(`e.thread_id = ${p(q.threadId)}`);
  if (q.sessionId) where.push(`e.session_id = ${p(q.sessionId)}`);
  if (q.companyId) where.push(`e.company_id = ${p(q.companyId)}`);
  if (q.source) where.push(`e.source = ${p(q.source)}::"TraceSource"`);
  if (q.from) where.push(`e.started_at >= ${p(q.from.toISOString())}::timestamptz`);
  if (q.to) where.push(`e.started_at <= ${p(q.to.toISOString())}::timestamptz`);
  if (q.q) where.push(await textSearch(db, { ...q, q: q.q }, p));
  if (q.errorMessage) where.push(`left(e.error->>'message', ${ERROR_MESSAGE_CHARS}) = ${p(q.errorMessage)}`);
  if (q.minDurationMs !== undefined) where.push(`e.duration_ms >= ${p(q.minDurationMs)}`);
  if (q.maxDurationMs !== undefined) where.push(`e.duration_ms <= ${p(q.maxDurationMs)}`);
  if (q.minCost !== undefined) where.push(`e.cost >= ${p(q.minCost)}::float8`);
  if (q.maxCost !== undefined) where.push(`e.cost <= ${p(q.maxCost)}::float8`);
  const sort = SORT_KEYS[q.sort];
  const dir = q.order === "asc" ? "ASC" : "DESC";
  const cmp = q.order === "asc" ? ">" : "<";
  if (q.cursor) {
    if (q.sort === "startedAt") {
      const [startedAt, id] = decodeCursor(q.cursor, 2);
      where.push(`(e.started_at, e.id) ${cmp} (${p(startedAt)}::timestamptz, ${p(id)})`);
    } else {
      const [sortedBy, value, id] = decodeCursor(q.cursor, 3, false);
      if (sortedBy !== q.sort || (value !== NULL_KEY && !NUMERIC.test(value))) throw invalidListCursor();
      // Rows without the value come after every row with one, in id order.
      where.push(
        value === NULL_KEY
          ? `(${sort.sql} IS NULL AND e.id ${cmp} ${p(id)})`
          : `(${sort.sql} ${cmp} ${p(value)}::${sort.type} OR (${sort.sql} = ${p(value)}::${sort.type} AND e.id ${cmp} ${p(id)}) OR ${sort.sql} IS NULL)`,
      );
    }
  }
  const order =
    q.sort === "startedAt" ? `e.started_at ${dir}, e.id ${dir}` : `${sort.sql} ${dir} NULLS LAST, e.id ${dir}`;
  const rows = await db.prisma.$queryRawUnsafe<ExecutionSqlRow[]>(
    `${EXECUTION_SELECT}
     WHERE ${where.join(" AND ")}
     ORDER BY ${order} LIMIT ${p(q.limit + 1)}`,
    ...params,
  );
  const page = rows.slice(0, q.limit).map(fromSqlRow);
  const last = page.at(-1);
  return { executions: page, nextCursor: rows.length > q.limit && last ? nextCursor(q.sort, last) : null };
}

/** Error messages are grouped by, and filtered on, their first 500 characters (the overview). */
export const ERROR_MESSAGE_CHARS = 500;

/** Sort keys other than the start: their column and SQL type (the cursor's value is cast to it). */
const SORT_KEYS: Record<ExecutionSort, { sql: string; type: string }> = {
  startedAt: { sql: "e.started_at", type: "timestamptz" },
  duration: { sql: "e.duration_ms", type: "bigint" },
  cost: { sql: "e.cost", type: "float8" },
  tokens: { sql: "e.tokens_total", type: "bigint" },
};
const NULL_KEY = "null";
const NUMERIC = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i;

/** The cursor after `last`: its start and id, or the sort it was made for, its value and id. */
function nextCursor(sort: ExecutionSort, last: Execution): string {
  if (sort === "startedAt") return encodeCursor([last.startedAt, last.id]);
  const value = sort === "duration" ? last.durationMs : sort === "cost" ? last.cost : last.tokens.total;
  return encodeCursor([sort, value === null ? NULL_KEY : String(value), last.id]);
}

function invalidListCursor(): ApiError {
  return new ApiError(400, "validation_error", "The cursor is not valid for this sort.", [
    { path: "cursor", message: "Invalid cursor." },
  ]);
}
