import { createHash, randomUUID } from "node:crypto";
import { from as copyStream } from "pg-copy-streams";
import type { Db } from "../db/index.ts";
import { anyOfJsonArray } from "../db/sql.ts";
import { applyRollupDelta } from "../metrics/rollups.ts";
import { processGlobal } from "../process-global.ts";
import type { EventBatch, EventRow, ExecutionContext, SpanBatch, SpanJob, SpanRow } from "./model.ts";
import { cleanRows, cleanString, rowsJson, SPAN_COPY_COLUMNS, spanCopyText, withWorkspaceColumn } from "./serialize.ts";
import { reserveVersions } from "./version.ts";

/**
 * Bulk writers of the ingest pipeline. A batch is a handful of statements whatever its size: each
 * takes the whole batch as one JSON parameter expanded by jsonb_to_recordset, except the spans
 * themselves on Postgres, which arrive by COPY straight into `spans` (after deleting the stored
 * versions of resent ones). Writes are idempotent by primary key (workspace_id, id): a resent span
 * or event replaces.
 */

/** The statements of one transaction: raw SQL with $n parameters. */
export type SqlTx = {
  /** Runs a statement; resolves to the number of rows it affected. */
  exec(sql: string, ...params: unknown[]): Promise<number>;
  query<R>(sql: string, ...params: unknown[]): Promise<R[]>;
  /** `COPY … FROM STDIN` of text-format data; Postgres only (undefined on PGlite). */
  copyFrom?(sql: string, data: string): Promise<void>;
  /** Runs `fn` once the transaction has committed (never if it rolls back). */
  afterCommit(fn: () => void): void;
};

const TX_TIMEOUT_MS = 60_000;

const statementNames = processGlobal("__runlensStatementNames", () => new Map<string, string>());
/**
 * The writers' statements are fixed texts run for every batch: as named prepared statements each
 * pooled connection parses them once, and Postgres can keep a generic plan instead of planning the
 * large statements on every batch.
 */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `rl_${createHash("sha1").update(sql).digest("hex").slice(0, 16)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * Runs `fn` in one transaction. On Postgres the statements go straight to a pooled `pg` connection:
 * Prisma's raw queries serialize and re-parse every parameter, which for a batch's JSON (hundreds of
 * KB) costs more CPU than the rest of the write. Embedded (PGlite) goes through Prisma, which owns
 * PGlite's single connection.
 */
export async function withTransaction<T>(db: Db, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
  const pool = db.pool;
  const committed: (() => void)[] = [];
  const afterCommit = (f: () => void) => {
    committed.push(f);
  };
  if (!pool) {
    const result = await db.prisma.$transaction(
      (tx) =>
        fn({
          exec: (sql, ...params) => tx.$executeRawUnsafe(sql, ...params),
          query: <R>(sql: string, ...params: unknown[]) => tx.$queryRawUnsafe<R[]>(sql, ...params),
          afterCommit,
        }),
      { timeout: TX_TIMEOUT_MS, maxWait: 30_000 },
    );
    for (const f of committed) f();
    return result;
  }
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${TX_TIMEOUT_MS}`);
    try {
      const result = await fn({
        exec: async (sql, ...params) =>
          (await client.query({ name: statementName(sql), text: sql, values: params })).rowCount ?? 0,
        query: async <R>(sql: string, ...params: unknown[]) =>
          (await client.query({ name: statementName(sql), text: sql, values: params })).rows as R[],
        copyFrom: (sql, data) =>
          new Promise<void>((resolve, reject) => {
            const stream = client.query(copyStream(sql));
            stream.on("error", reject);
            stream.on("finish", resolve); // after Postgres confirmed the COPY
            stream.end(data);
          }),
        afterCommit,
      });
      await client.query("COMMIT");
      for (const f of committed) f();
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch((re: Error) => {
        broken = re; // the connection is unusable: the pool drops it
      });
      throw e;
    }
  } finally {
    client.release(broken);
  }
}

const agentIds = processGlobal("__runlensAgentIds", () => new Map<string, string>());

/**
 * Agent ids by name, created on first sight. Agents are never renamed, so ids are cached, once the
 * transaction that created or read them has committed (a rolled-back one may have created them).
 */
export async function resolveAgents(tx: SqlTx, workspaceId: string, names: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const missing: string[] = [];
  for (const n of new Set(names)) {
    const id = agentIds.get(`${workspaceId}\u0000${n}`);
    if (id) out.set(n, id);
    else missing.push(n);
  }
  if (missing.length === 0) return out;
  const rows = missing.sort().map((name) => ({ id: `ag_${randomUUID()}`, name }));
  await tx.exec(
    `INSERT INTO agents (id, workspace_id, name, kind, created_at, last_seen_at)
     SELECT r.id, $1::text, r.name, 'agent', now(), now() FROM jsonb_to_recordset($2::jsonb) AS r(id text, name text)
     ON CONFLICT (workspace_id, name) DO NOTHING`,
    workspaceId,
    JSON.stringify(rows),
  );
  const found = await tx.query<{ id: string; name: string }>(
    `SELECT id, name FROM agents WHERE workspace_id = $1 AND name IN (SELECT jsonb_array_elements_text($2::jsonb))`,
    workspaceId,
    JSON.stringify(missing),
  );
  for (const r of found) out.set(r.name, r.id);
  tx.afterCommit(() => {
    for (const r of found) agentIds.set(`${workspaceId}\u0000${r.name}`, r.id);
  });
  return out;
}

/** Forgets cached agent ids (tests drop and recreate databases). */
export function clearAgentCache(): void {
  agentIds.clear();
}

/**
 * Gives rows without a version the next versions in their order (lib/ingest/version.ts), then keeps
 * one row per id, the newest by `newer` (the later one on a tie; ON CONFLICT cannot touch a row
 * twice), sorted by id. Ids are compared as they will be stored (see cleanString).
 */
function newestById<T extends { id: string; version?: number }>(rows: T[], newer: (a: T, b: T) => boolean): T[] {
  stampVersions(rows);
  const m = new Map<string, T>();
  for (const r of rows) {
    const key = cleanString(r.id);
    const kept = m.get(key);
    if (!kept || !newer(kept, r)) m.set(key, r);
  }
  return [...m.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Gives rows without a version the next versions of this process, in their order. */
export function stampVersions(rows: { version?: number }[]): void {
  if (!rows.some((r) => r.version === undefined)) return;
  let next = reserveVersions(rows.length);
  for (const r of rows) if (r.version === undefined) r.version = next++;
}

/** Span versions rank by (finished, version): a span's end outranks its own "running" start. */
type SpanRank = { finished: boolean; version: number };
/** Whether `a` ranks strictly above `b`. */
export function outranks(a: SpanRank, b: SpanRank): boolean {
  return a.finished !== b.finished ? a.finished : a.version > b.version;
}
const spanRank = (s: SpanRow): SpanRank => ({ finished: s.status !== "running", version: s.version ?? 0 });
const newerSpan = (a: SpanRow, b: SpanRow) => outranks(spanRank(a), spanRank(b));
const newerEvent = (a: EventRow, b: EventRow) => (a.version ?? 0) > (b.version ?? 0);
/** The same rank in SQL, for a row or record `t` of spans. */
const SQL_RANK = (t: string) => `(${t}.status::text <> 'running', ${t}.version)`;

const SPAN_COLUMNS = SPAN_COPY_COLUMNS.map(([name, type]) => `${name} ${type}`).join(", ");
const columnList = (names: readonly string[]) => `workspace_id, ${names.join(", ")}`;
const COPY_NAMES = SPAN_COPY_COLUMNS.map(([name]) => name);

/**
 * A COPY job's spans go straight into `spans` (received_at is its default, now()). Jobs of layout 2
 * (queued before versions) lack the last column, `version`, which is then 0: any newer send wins.
 */
const COPY_SPANS = {
  3: `COPY spans (${columnList(COPY_NAMES)}) FROM STDIN`,
  2: `COPY spans (${columnList(COPY_NAMES.filter((n) => n !== "version"))}) FROM STDIN`,
};

/**
 * Before a batch that may resend spans is copied in, the stored versions of its spans, locked:
 * those its lines outrank are deleted (COPY cannot upsert), the lines they outrank are dropped.
 */
const LOCK_STORED_SPANS = `SELECT id, execution_id, status::text <> 'running' AS finished, version FROM spans
  WHERE workspace_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`;
const DELETE_SPANS = `DELETE FROM spans WHERE workspace_id = $1 AND id = ANY($2::text[])`;

/** One line of a COPY job: its span's id, execution and rank, and where it is in the text. */
export type CopyLine = {
  id: string;
  executionId: string;
  finished: boolean;
  version: number;
  start: number;
  end: number;
};

/**
 * The lines of a COPY job (fields: workspace id, then SPAN_COPY_COLUMNS, COPY's escapes undone in
 * ids); `versioned` when the last field is the version (layout 3).
 */
export function copyLines(copy: string, versioned: boolean): CopyLine[] {
  const lines: CopyLine[] = [];
  let start = 0;
  while (start < copy.length) {
    const nl = copy.indexOf("\n", start);
    const end = nl < 0 ? copy.length : nl + 1;
    const fields: string[] = [];
    let from = copy.indexOf("\t", start) + 1; // after the workspace id
    for (let i = 0; i < 7; i++) {
      const to = copy.indexOf("\t", from);
      fields.push(copy.slice(from, to));
      from = to + 1;
    }
    const last = copy.lastIndexOf("\t", end - 1);
    lines.push({
      id: unescapeCopy(fields[0]),
      executionId: unescapeCopy(fields[1]),
      finished: fields[6] !== "running",
      version: versioned ? Number(copy.slice(last + 1, nl < 0 ? end : nl)) : 0,
      start,
      end,
    });
    start = end;
  }
  return lines;
}
const unescapeCopy = (raw: string) =>
  raw.includes("\\") ? raw.replace(/\\(.)/g, (_, c: string) => COPY_UNESCAPE[c] ?? c) : raw;
const COPY_UNESCAPE: Record<string, string> = { n: "\n", r: "\r", t: "\t", "\\": "\\" };

/** Every column a resent span replaces, as assignments from `src` (EXCLUDED, or a batch row `r`). */
const spanAssignments = (src: string) =>
  [
    ...SPAN_COPY_COLUMNS.filter(([name]) => name !== "id").map(
      ([name]) => `${name} = ${src}.${name}${name === "status" ? `::"RunStatus"` : ""}`,
    ),
    "received_at = now()",
  ].join(", ");

/**
 * JSON rows (PGlite): the batch as one jsonb parameter ($2), expanded into SPAN_COLUMNS as `r`, with
 * the version of rows queued before versions existed as 0.
 */
const FROM_JSON = `(SELECT ${COPY_NAMES.map((n) => (n === "version" ? "COALESCE(r0.version, 0) AS version" : `r0.${n}`)).join(", ")}
  FROM jsonb_to_recordset($2::jsonb) AS r0(${SPAN_COLUMNS})) AS r`;
const JSON_SQL = {
  /**
   * Inserts the spans, or replaces them while they stay in their execution and do not outrank the
   * sent version. A resent span that names another execution is left for `move` (its old execution
   * must be rolled up too), so fewer rows than the batch's come back; so do outranked ones.
   */
  upsert: `INSERT INTO spans (workspace_id, ${COPY_NAMES.join(", ")}, received_at)
   SELECT $1::text, ${COPY_NAMES.map((name) => (name === "status" ? `r.status::"RunStatus"` : `r.${name}`)).join(", ")}, now()
   FROM ${FROM_JSON}
   ON CONFLICT (workspace_id, id) DO UPDATE SET ${spanAssignments("EXCLUDED")}
   WHERE spans.execution_id = EXCLUDED.execution_id AND ${SQL_RANK("EXCLUDED")} >= ${SQL_RANK("spans")}`,
  /** The executions that spans of the batch are moving out of (the rows are locked by the upsert). */
  movedFrom: `SELECT DISTINCT s.execution_id AS id FROM ${FROM_JSON} JOIN spans s ON s.workspace_id = $1 AND s.id = r.id
   WHERE s.execution_id <> r.execution_id AND ${SQL_RANK("r")} >= ${SQL_RANK("s")}`,
  move: `UPDATE spans s SET ${spanAssignments("r")} FROM ${FROM_JSON}
   WHERE s.workspace_id = $1 AND s.id = r.id AND s.execution_id <> r.execution_id AND ${SQL_RANK("r")} >= ${SQL_RANK("s")}`,
};

/** Locks execution rows ($2: JSON array of ids) in id order. */
export const LOCK_EXECUTIONS = `SELECT 1 FROM executions WHERE workspace_id = $1 AND id = ${anyOfJsonArray("$2")}
  ORDER BY id FOR UPDATE`;

const BIGINT_MAX = "9223372036854775807";
const ROOT_TYPES = `('agent_execution','workflow_execution','custom_execution')`;
const PREVIEW_CHARS = 4000;
/** Execution previews: a payload's JSON up to 4,000 characters, else a truncation marker. */
const preview = (col: string) =>
  `CASE WHEN ${col} IS NULL OR jsonb_typeof(${col}) = 'null' THEN NULL
        WHEN length(${col}::text) <= ${PREVIEW_CHARS} THEN ${col}
        ELSE jsonb_build_object('__runlens_truncated', true, 'originalSize', length(${col}::text), 'preview', left(${col}::text, ${PREVIEW_CHARS})) END`;

/**
 * Rolls executions up from all their stored spans: $1 workspace, $2 JSON array of the batch's
 * execution contexts (ExecutionContext with agent_id), $3 the batch's source.
 */
export const ROLLUP_EXECUTIONS = `WITH ctx AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS c(execution_id text, agent_id text, agent_from_root boolean,
         thread_id text, session_id text, company_id text, identify_type text, identify_value text, external_id text)
     ), agg AS (
       -- Per execution, an index scan of its spans (LATERAL: the plan must not depend on how many
       -- rows the planner expects from the batch's JSON). The root span is chosen on narrow columns.
       SELECT ctx.execution_id, a.started_at, a.max_ended, a.span_count, a.has_conversation, a.has_llm_tokens,
         a.llm_in, a.llm_out, a.llm_total, a.all_in, a.all_out, a.all_total, a.first_error, a.root_id
       FROM ctx CROSS JOIN LATERAL (
         SELECT min(s.started_at) AS started_at, max(s.ended_at) AS max_ended, count(*)::int AS span_count,
           bool_or(s.type = 'conversation_message') AS has_conversation,
           bool_or(s.type = 'llm_call' AND s.tokens_total IS NOT NULL) AS has_llm_tokens,
           COALESCE(sum(s.tokens_input) FILTER (WHERE s.type = 'llm_call'), 0) AS llm_in,
           COALESCE(sum(s.tokens_output) FILTER (WHERE s.type = 'llm_call'), 0) AS llm_out,
           COALESCE(sum(s.tokens_total) FILTER (WHERE s.type = 'llm_call'), 0) AS llm_total,
           COALESCE(sum(s.tokens_input), 0) AS all_in, COALESCE(sum(s.tokens_output), 0) AS all_out,
           COALESCE(sum(s.tokens_total), 0) AS all_total,
           (array_agg(s.error ORDER BY s.started_at) FILTER (WHERE s.error IS NOT NULL))[1] AS first_error,
           (array_agg(s.id ORDER BY (s.parent_id IS NULL) DESC, (s.type IN ${ROOT_TYPES}) DESC, s.started_at, s.id))[1] AS root_id
         FROM spans s WHERE s.workspace_id = $1 AND s.execution_id = ctx.execution_id
         GROUP BY s.execution_id
       ) a
     ), root AS (
       SELECT agg.execution_id, s.name, s.type, s.status, s.ended_at, s.input, s.output, s.error
       FROM agg JOIN spans s ON s.workspace_id = $1 AND s.id = agg.root_id
     )
     UPDATE executions e SET
       name = root.name, type = root.type, status = root.status,
       started_at = agg.started_at,
       ended_at = CASE WHEN root.status = 'running' THEN NULL ELSE greatest(root.ended_at, agg.max_ended) END,
       duration_ms = CASE WHEN root.status = 'running' THEN NULL
         ELSE (extract(epoch FROM (greatest(root.ended_at, agg.max_ended) - agg.started_at)) * 1000)::bigint END,
       input = ${preview("root.input")}, output = ${preview("root.output")},
       error = COALESCE(root.error, CASE WHEN root.status = 'error' THEN agg.first_error END),
       span_count = agg.span_count, has_conversation = agg.has_conversation,
       -- Sums of bigint are numeric: a total past bigint's range is held at its maximum.
       tokens_input = least(CASE WHEN agg.has_llm_tokens THEN agg.llm_in ELSE agg.all_in END, ${BIGINT_MAX}),
       tokens_output = least(CASE WHEN agg.has_llm_tokens THEN agg.llm_out ELSE agg.all_out END, ${BIGINT_MAX}),
       tokens_total = least(CASE WHEN agg.has_llm_tokens THEN agg.llm_total ELSE agg.all_total END, ${BIGINT_MAX}),
       agent_id = CASE WHEN ctx.agent_from_root THEN ctx.agent_id ELSE e.agent_id END,
       thread_id = COALESCE(ctx.thread_id, e.thread_id), session_id = COALESCE(ctx.session_id, e.session_id),
       company_id = COALESCE(ctx.company_id, e.company_id),
       identify_type = COALESCE(ctx.identify_type, e.identify_type), identify_value = COALESCE(ctx.identify_value, e.identify_value),
       external_id = COALESCE(ctx.external_id, e.external_id),
       -- An execution that spans only left (no agent in the batch) keeps its source.
       source = CASE WHEN ctx.agent_id IS NULL THEN e.source ELSE $3::"TraceSource" END, updated_at = now()
     FROM ctx, agg, root
     -- ANY: the planner then expects a few executions (see anyOfJsonArray), not ctx's default
     -- hundred rows, for which it scanned all of executions.
     WHERE e.workspace_id = $1 AND e.id = ANY(ARRAY(SELECT c.execution_id FROM ctx c))
       AND e.id = ctx.execution_id AND agg.execution_id = ctx.execution_id AND root.execution_id = ctx.execution_id`;

/**
 * Prepares a span batch for the queue and the writer (see SpanJob): COPY text for Postgres, whose
 * COPY parses rows for less CPU than it spends expanding one large jsonb parameter, or JSON rows
 * (PGlite, whose connection is Prisma's; see spanJobFormat).
 */
export function toSpanJob(batch: SpanBatch, format: "copy" | "rows"): SpanJob {
  // An absent (undefined) input or output is left out of the JSON: its column is NULL, like JSON null.
  const spans = newestById(batch.spans, newerSpan);
  const firstStart = new Map<string, string>();
  for (const s of spans) {
    const prev = firstStart.get(s.execution_id);
    if (!prev || s.started_at < prev) firstStart.set(s.execution_id, s.started_at);
  }
  const byId = new Map(batch.executions.map((c) => [c.execution_id, c]));
  // spans has no foreign key to executions: the writer creates every span's execution itself.
  for (const id of firstStart.keys())
    if (!byId.has(id)) throw new Error(`Span batch without the context of its execution ${JSON.stringify(id)}.`);
  const executions = [...byId.values()]
    .filter((c) => firstStart.has(c.execution_id))
    .sort((a, b) => (a.execution_id < b.execution_id ? -1 : 1))
    .map((c) => ({ ...c, started_at: firstStart.get(c.execution_id)! }));
  const base = {
    workspaceId: batch.workspaceId,
    source: batch.source,
    executions: cleanRows(executions),
    count: spans.length,
    ...(batch.requestId ? { requestId: batch.requestId } : {}),
  };
  return format === "copy"
    ? { kind: "span_copy", ...base, copy: spanCopyText(batch.workspaceId, spans), layout: 3 }
    : { kind: "span_rows", ...base, rows: rowsJson(spans) };
}

/**
 * How span jobs for this database carry their rows: COPY text on Postgres, JSON rows on PGlite
 * (whose single connection is Prisma's, without COPY FROM STDIN).
 */
export function spanJobFormat(db: Db): "copy" | "rows" {
  return db.pool ? "copy" : "rows";
}

/**
 * Where a batch's spans conflicted with stored ones lately (a source that sends a span again as it
 * progresses, or retries): key (workspace and source) -> until when such batches take the replace
 * path right away, instead of a plain COPY that would fail and be redone.
 */
const replaceUntil = processGlobal("__runlensSpanReplaceUntil", () => new Map<string, number>());
const REPLACE_AFTER_CONFLICT_MS = 60_000;

/** Whether `e` is Postgres refusing a span that is stored already (unique violation of spans' key). */
function isStoredSpanConflict(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === "23505" && err.constraint === "spans_pkey";
}

/** A COPY job in today's layouts (2 or 3): jobs queued without a layout get the workspace column. */
export function withLayout(job: Extract<SpanJob, { kind: "span_copy" }>) {
  return job.layout
    ? { ...job, layout: job.layout }
    : { ...job, copy: withWorkspaceColumn(job.workspaceId, job.copy), layout: 2 as const };
}

/**
 * Writes a batch of spans and rolls their executions up from the stored spans, in one transaction.
 * On Postgres a batch is copied straight into `spans`. A plain COPY holds as long as none of its
 * spans is stored yet (a span sent once, when it ends); if one is, Postgres refuses the COPY
 * (unique violation) and the batch is written again in a new transaction that first locks the
 * stored versions of its spans, deletes those it outranks and drops its lines they outrank
 * (`replace`). A span another batch inserts between that lock and the COPY makes it fail the same
 * way: it is tried again, up to three times in all.
 */
export async function writeSpanBatch(db: Db, batch: SpanBatch | SpanJob): Promise<SpanWriteResult> {
  const job = batch.kind === "spans" ? toSpanJob(batch, spanJobFormat(db)) : batch;
  if (job.count === 0) return { executionIds: [], via: "json" };
  if (job.kind === "span_rows") return writeSpans(db, job, "json");
  const copyJob = withLayout(job);
  const key = `${job.workspaceId}\u0000${job.source}`;
  const until = replaceUntil.get(key);
  if (until === undefined || until < Date.now()) {
    if (until !== undefined) replaceUntil.delete(key);
    try {
      return await writeSpans(db, copyJob, "copy");
    } catch (e) {
      if (!isStoredSpanConflict(e)) throw e;
      replaceUntil.set(key, Date.now() + REPLACE_AFTER_CONFLICT_MS);
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeSpans(db, copyJob, "replace");
    } catch (e) {
      if (!isStoredSpanConflict(e) || attempt === 3) throw e;
    }
  }
}

/**
 * What writeSpanBatch did: the executions it rolled up, and how the spans went in. `copy`: COPY
 * into `spans` (fails on a stored span); `replace`: the stored versions of the batch's spans
 * locked, those outranked deleted, then COPY of the lines not outranked; `json`: upsert from the
 * job's JSON rows (a row replaces a stored one it is not outranked by).
 */
export type SpanWriteResult = { executionIds: string[]; via: "copy" | "replace" | "json" };

/**
 * The replace path's spans: stored versions locked, the outranked ones deleted, the batch's lines
 * that are not outranked copied. Returns the executions the deleted versions were in, and whether
 * lines were dropped.
 */
async function replaceSpans(
  tx: SqlTx,
  job: Extract<SpanJob, { kind: "span_copy" }> & { layout: 2 | 3 },
): Promise<{ oldExecutions: string[]; dropped: boolean }> {
  const lines = copyLines(job.copy, job.layout === 3);
  const stored = await tx.query<{ id: string; execution_id: string; finished: boolean; version: string | number }>(
    LOCK_STORED_SPANS,
    job.workspaceId,
    lines.map((l) => l.id),
  );
  const storedById = new Map(stored.map((r) => [r.id, { ...r, version: Number(r.version) }]));
  const kept: CopyLine[] = [];
  const replaced: string[] = [];
  const oldExecutions = new Set<string>();
  for (const line of lines) {
    const old = storedById.get(line.id);
    if (old && outranks(old, line)) continue;
    kept.push(line);
    if (old) {
      replaced.push(line.id);
      oldExecutions.add(old.execution_id);
    }
  }
  if (replaced.length) await tx.exec(DELETE_SPANS, job.workspaceId, replaced);
  const copy = kept.length === lines.length ? job.copy : kept.map((l) => job.copy.slice(l.start, l.end)).join("");
  if (copy) await tx.copyFrom!(COPY_SPANS[job.layout], copy);
  return { oldExecutions: [...oldExecutions], dropped: kept.length < lines.length };
}

/** One transaction of writeSpanBatch. */
async function writeSpans(db: Db, job: SpanJob, mode: SpanWriteResult["via"]): Promise<SpanWriteResult> {
  const contexts = job.executions;
  let movedOut: string[] = [];
  await withTransaction(db, async (tx) => {
    const agents = await resolveAgents(
      tx,
      job.workspaceId,
      contexts.map((c) => c.agent),
    );
    const ctx = contexts.map((c) => ({ ...c, agent_id: agents.get(c.agent)! }));
    const ctxJson = JSON.stringify(ctx);

    // 1. Every span's execution exists (spans have no foreign key: this is what keeps it so); rows in
    // id order to avoid deadlocks. The ones created here come back: if all their spans turn out to be
    // outranked by stored versions in other executions, they go again (2.).
    const created = await tx.query<{ id: string }>(
      `INSERT INTO executions (workspace_id, id, agent_id, name, type, status, source, started_at, created_at, updated_at)
         SELECT $1::text, c.execution_id, c.agent_id, c.execution_id, 'custom_execution', 'running', $3::"TraceSource", c.started_at, now(), now()
         FROM jsonb_to_recordset($2::jsonb) AS c(execution_id text, agent_id text, started_at timestamptz)
         ORDER BY c.execution_id
         ON CONFLICT (workspace_id, id) DO NOTHING
         RETURNING id`,
      job.workspaceId,
      ctxJson,
      job.source,
    );

    // Batches of one execution written at the same time (parallel workers, concurrent OTLP
    // exports of one trace) take turns from here: otherwise each rollup (3.) reads the stored spans
    // without the other's uncommitted ones, and the last to commit overwrites the execution with a
    // count that misses spans. Row locks in id order, as above.
    await tx.exec(LOCK_EXECUTIONS, job.workspaceId, JSON.stringify(contexts.map((c) => c.execution_id)));

    // 2. Spans: inserted, or replacing stored versions they are not outranked by. A resent span may
    // name another execution than before: the executions spans leave are rolled up too. Those are
    // locked only once known, so a deadlock with a batch that locks them first is possible; Postgres
    // then fails one batch, which is retried.
    const touched = new Set(ctx.map((c) => c.execution_id));
    let movedFrom: string[] = [];
    let dropped = false;
    if (job.kind === "span_copy") {
      if (!tx.copyFrom) throw new Error("A COPY span job needs Postgres (this database has no COPY FROM STDIN).");
      const layout = job.layout ?? 2;
      if (mode === "replace") {
        const replaced = await replaceSpans(tx, { ...job, layout });
        dropped = replaced.dropped;
        movedFrom = replaced.oldExecutions.filter((id) => !touched.has(id)).sort();
        if (movedFrom.length) await tx.exec(LOCK_EXECUTIONS, job.workspaceId, JSON.stringify(movedFrom));
      } else await tx.copyFrom(COPY_SPANS[layout], job.copy);
    } else {
      // Upserted where they stay in their execution and are not outranked; the others (fewer rows
      // written) move, or are dropped.
      const written = await tx.exec(JSON_SQL.upsert, job.workspaceId, job.rows);
      if (written < job.count) {
        movedFrom = (await tx.query<{ id: string }>(JSON_SQL.movedFrom, job.workspaceId, job.rows))
          .map((r) => r.id)
          .filter((id) => !touched.has(id))
          .sort();
        await tx.exec(LOCK_EXECUTIONS, job.workspaceId, JSON.stringify(movedFrom));
        const moved = await tx.exec(JSON_SQL.move, job.workspaceId, job.rows);
        dropped = written + moved < job.count;
      }
    }
    if (dropped && created.length)
      await tx.exec(
        `DELETE FROM executions e WHERE e.workspace_id = $1 AND e.id = ${anyOfJsonArray("$2")}
           AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.workspace_id = $1 AND s.execution_id = e.id)`,
        job.workspaceId,
        JSON.stringify(created.map((c) => c.id)),
      );
    const left = movedFrom
      .filter((id) => !touched.has(id))
      .map((execution_id) => ({ execution_id, agent_id: null, agent_from_root: false }));
    const rollupJson = left.length ? JSON.stringify([...ctx, ...left]) : ctxJson;

    // 3. Roll each touched execution up from all its stored spans: exact, and unchanged by resends.
    await tx.exec(ROLLUP_EXECUTIONS, job.workspaceId, rollupJson, job.source);
    // An execution whose every span moved out has nothing to roll up from: it stays, empty.
    if (left.length)
      await tx.exec(
        `UPDATE executions e SET span_count = 0, has_conversation = false, tokens_input = 0, tokens_output = 0,
             tokens_total = 0, updated_at = now()
           WHERE e.workspace_id = $1 AND e.id = ${anyOfJsonArray("$2")}
             AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.workspace_id = $1 AND s.execution_id = e.id)`,
        job.workspaceId,
        JSON.stringify(left.map((l) => l.execution_id)),
      );
    movedOut = left.map((l) => l.execution_id);
  });
  await keepExecutionStatsFresh(db);
  return { executionIds: [...contexts.map((c) => c.execution_id), ...movedOut], via: mode };
}

type StatsState = { stable: boolean; busy: boolean; nextCheckAt: number };
const statsStates = processGlobal("__runlensExecutionStats", () => new WeakMap<object, StatsState>());
/** From this size on, the planner's choice for the lookup by primary key no longer changes as the table grows. */
const STATS_STABLE_PAGES = 32;

/**
 * Keeps planner statistics of a young `executions` table in step with its growth. Every inserted
 * span makes a foreign-key lookup (spans -> executions) whose plan each connection caches. On a
 * table without statistics, or with statistics from when it held a page of rows, that plan is a
 * sequential scan or a scan of executions(workspace_id, external_id): either walks the workspace's
 * executions, so every span costs more as the table grows, until autovacuum analyzes it (Postgres,
 * within minutes) or for good (PGlite has no autovacuum). An ANALYZE each time the table has doubled,
 * up to STATS_STABLE_PAGES, makes every connection replan on the primary key; past that size this
 * process stops checking. Checks are at most one a second, after the batch's transaction.
 */
async function keepExecutionStatsFresh(db: Db): Promise<void> {
  const key = db.pool ?? db.prisma;
  const st = statsStates.get(key) ?? { stable: false, busy: false, nextCheckAt: 0 };
  statsStates.set(key, st);
  if (st.stable || st.busy || Date.now() < st.nextCheckAt) return;
  st.busy = true;
  try {
    const sql = `SELECT relpages, reltuples < 0 AS never,
        (pg_relation_size(oid) / current_setting('block_size')::int)::int AS pages
      FROM pg_class WHERE oid = 'executions'::regclass`;
    type Row = { relpages: number; never: boolean; pages: number };
    const [r] = db.pool ? (await db.pool.query<Row>(sql)).rows : await db.prisma.$queryRawUnsafe<Row[]>(sql);
    if (!r) return;
    if (!r.never && r.relpages >= STATS_STABLE_PAGES) st.stable = true;
    else if (r.never || r.pages >= 2 * Math.max(r.relpages, 1)) {
      if (db.pool) await db.pool.query("ANALYZE executions");
      else await db.prisma.$executeRawUnsafe("ANALYZE executions");
    }
  } catch (e) {
    st.stable = true; // e.g. not the table's owner: autovacuum will do it
    console.error(`[ingest] cannot ANALYZE executions (${(e as Error).message}); autovacuum will`);
  } finally {
    st.busy = false;
    st.nextCheckAt = Date.now() + 1000;
  }
}

function jsonType(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return "array";
  const t = typeof v;
  return t === "number" || t === "string" || t === "boolean" || t === "object" ? t : null;
}

/** The columns of track_events that an event batch's JSON rows carry, as `r`. */
const EVENT_ROWS = `jsonb_to_recordset($2::jsonb) AS r(id text, agent_id text, name text, properties jsonb,
  timestamp timestamptz, thread_id text, execution_id text, version bigint)`;

/**
 * Writes track events (insert, or replace a stored version that is not newer) and keeps rollups,
 * the event catalog and property types exact, also when the same ids are delivered by several
 * transactions at once: new ids are inserted first (`ON CONFLICT DO NOTHING`), so of two
 * concurrent deliveries exactly one inserts, and the other waits for it and then finds the row
 * stored, locks it and replaces it like any resend.
 */
export async function writeEventBatch(db: Db, batch: EventBatch): Promise<{ names: string[] }> {
  const events = cleanRows(newestById(batch.events, newerEvent));
  if (events.length === 0) return { names: [] };
  await withTransaction(db, async (tx) => {
    const agents = await resolveAgents(
      tx,
      batch.workspaceId,
      events.map((e) => e.agent),
    );
    const rows = events.map((e) => ({ ...e, agent_id: agents.get(e.agent)! }));
    const inserted = new Set(
      (
        await tx.query<{ id: string }>(
          `INSERT INTO track_events (workspace_id, id, agent_id, name, properties, timestamp, thread_id, execution_id, version, received_at)
             SELECT $1::text, r.id, r.agent_id, r.name, COALESCE(r.properties, '{}'::jsonb), r.timestamp, r.thread_id,
               r.execution_id, COALESCE(r.version, 0), now()
             FROM ${EVENT_ROWS} ORDER BY r.id
             ON CONFLICT (workspace_id, id) DO NOTHING
             RETURNING id`,
          batch.workspaceId,
          JSON.stringify(rows),
        )
      ).map((r) => r.id),
    );

    // Stored ids: their rows locked (so catalog and rollups move only by what really changed), and
    // replaced by versions that are not older.
    const stored = rows.filter((r) => !inserted.has(r.id));
    const old = stored.length
      ? await tx.query<{ id: string; agent_id: string; name: string; version: string | number }>(
          `SELECT id, agent_id, name, version FROM track_events
             WHERE workspace_id = $1 AND id = ${anyOfJsonArray("$2")} ORDER BY id FOR UPDATE`,
          batch.workspaceId,
          JSON.stringify(stored.map((r) => r.id)),
        )
      : [];
    const oldById = new Map(old.map((o) => [o.id, o]));
    const replaced = stored.filter((r) => {
      const o = oldById.get(r.id);
      return o !== undefined && (r.version ?? 0) >= Number(o.version);
    });
    const written = [...rows.filter((r) => inserted.has(r.id)), ...replaced];
    if (written.length === 0) return;
    // The net change: new rows +1, replaced ones -1 for the stored version (read before the update
    // below) and +1 for the new one.
    await applyRollupDelta(tx, batch.workspaceId, JSON.stringify(written), JSON.stringify(replaced.map((r) => r.id)));
    if (replaced.length)
      await tx.exec(
        `UPDATE track_events t SET agent_id = r.agent_id, name = r.name, properties = COALESCE(r.properties, '{}'::jsonb),
             timestamp = r.timestamp, thread_id = r.thread_id, execution_id = r.execution_id,
             version = COALESCE(r.version, 0), received_at = now()
           FROM ${EVENT_ROWS} WHERE t.workspace_id = $1 AND t.id = r.id`,
        batch.workspaceId,
        JSON.stringify(replaced),
      );

    const catalog = new Map<string, { agent_id: string; name: string; delta: number; first: string; last: string }>();
    const bump = (agent_id: string, name: string, delta: number, at: string | null) => {
      const k = `${agent_id}\u0000${name}`;
      const c = catalog.get(k) ?? { agent_id, name, delta: 0, first: at ?? "", last: at ?? "" };
      c.delta += delta;
      if (at) {
        if (!c.first || at < c.first) c.first = at;
        if (!c.last || at > c.last) c.last = at;
      }
      catalog.set(k, c);
    };
    const props = new Map<string, { agent_id: string; event_name: string; key: string; types: Set<string> }>();
    for (const r of written) {
      const prev = oldById.get(r.id);
      if (inserted.has(r.id)) bump(r.agent_id, r.name, 1, r.timestamp);
      else if (prev && (prev.agent_id !== r.agent_id || prev.name !== r.name)) {
        bump(prev.agent_id, prev.name, -1, null);
        bump(r.agent_id, r.name, 1, r.timestamp);
      } else bump(r.agent_id, r.name, 0, r.timestamp);
      for (const [key, value] of Object.entries(r.properties)) {
        const t = jsonType(value);
        if (!t) continue;
        const k = `${r.agent_id}\u0000${r.name}\u0000${key}`;
        const p = props.get(k) ?? { agent_id: r.agent_id, event_name: r.name, key, types: new Set<string>() };
        p.types.add(t);
        props.set(k, p);
      }
    }
    const catalogRows = [...catalog.values()].sort((a, b) => (a.agent_id + a.name < b.agent_id + b.name ? -1 : 1));
    const catalogJson = JSON.stringify(
      catalogRows.map((c) => ({ ...c, first: c.first || null, last: c.last || null })),
    );
    await tx.exec(
      `INSERT INTO event_catalog (workspace_id, agent_id, name, count, first_seen_at, last_seen_at)
         SELECT $1::text, c.agent_id, c.name, 0, COALESCE(c.first, now()), COALESCE(c.last, now())
         FROM jsonb_to_recordset($2::jsonb) AS c(agent_id text, name text, first timestamptz, last timestamptz)
         ON CONFLICT (workspace_id, agent_id, name) DO NOTHING`,
      batch.workspaceId,
      catalogJson,
    );
    await tx.exec(
      `UPDATE event_catalog e SET count = greatest(e.count + c.delta, 0),
           first_seen_at = least(e.first_seen_at, COALESCE(c.first, e.first_seen_at)),
           last_seen_at = greatest(e.last_seen_at, COALESCE(c.last, e.last_seen_at))
         FROM jsonb_to_recordset($2::jsonb) AS c(agent_id text, name text, delta bigint, first timestamptz, last timestamptz)
         WHERE e.workspace_id = $1 AND e.agent_id = c.agent_id AND e.name = c.name`,
      batch.workspaceId,
      catalogJson,
    );
    if (props.size > 0) {
      const propRows = [...props.values()]
        .map((p) => ({ ...p, types: [...p.types].sort() }))
        .sort((a, b) => (a.agent_id + a.event_name + a.key < b.agent_id + b.event_name + b.key ? -1 : 1));
      await tx.exec(
        `INSERT INTO event_properties (workspace_id, agent_id, event_name, key, types)
           SELECT $1::text, p.agent_id, p.event_name, p.key, ARRAY(SELECT jsonb_array_elements_text(p.types))
           FROM jsonb_to_recordset($2::jsonb) AS p(agent_id text, event_name text, key text, types jsonb)
           ON CONFLICT (workspace_id, agent_id, event_name, key) DO UPDATE SET
             types = ARRAY(SELECT DISTINCT t FROM unnest(event_properties.types || EXCLUDED.types) AS t ORDER BY t)
           WHERE NOT (EXCLUDED.types <@ event_properties.types)`,
        batch.workspaceId,
        JSON.stringify(propRows),
      );
    }
  });
  return { names: [...new Set(events.map((e) => e.name))] };
}

export type { ExecutionContext, SpanRow };
