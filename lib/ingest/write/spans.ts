import "server-only";
import { executionDaySql, executionDaysSql, KEEP_DAY } from "../../data/partitions.ts";
import type { Db } from "../../db/index.ts";
import { anyOfJsonArray } from "../../db/sql.ts";
import { type SqlTx, withTransaction } from "../../db/transaction.ts";
import { compactRollupsSoon } from "../../overview/rollups.ts";
import { processGlobal } from "../../process-global.ts";
import type { SpanBatch, SpanCopyJob, SpanJob } from "../model.ts";
import { SPAN_COPY_COLUMNS, withWorkspaceColumn } from "../serialize.ts";
import { outranks } from "../version.ts";
import { resolveAgents } from "./agents.ts";
import {
  AGGREGATED_SPAN_SELECT,
  incrementalRollupMinSpans,
  LOCK_EXECUTION_STATES,
  LOCK_EXECUTIONS,
  READ_EXECUTION_STATES,
  ROLLUP_EXECUTIONS,
  ROLLUP_INCREMENTAL,
} from "./rollup.ts";
import { joinSpanParts, partsExecutions, toSpanJob } from "./span-job.ts";
import { keepExecutionStatsFresh } from "./statistics.ts";

export { joinSpanParts, toSpanJob };

/**
 * The span writer. A batch is a handful of statements whatever its size: spans arrive by COPY
 * straight into `spans` on Postgres (JSON rows upserted on PGlite), their executions are created,
 * then locked (after the spans, for the rollup only) and rolled up in the same transaction
 * (lib/ingest/write/rollup.ts: from the batch's own spans where the execution keeps its
 * aggregates, else from all its stored spans). Writes are
 * idempotent by id and keep the newest version of a span (lib/ingest/version.ts). `spans` is
 * partitioned by workspace and day (lib/data/partitions.ts): a span's day is its execution's
 * creation day, so an execution's spans, and every version of each, share one partition, whose
 * primary key (workspace_id, id, day) refuses a span stored already as the table's did before.
 */

/** The same rank in SQL, for a row or record `t` of spans. */
const SQL_RANK = (t: string) => `(${t}.status::text <> 'running', ${t}.version)`;

const SPAN_COLUMNS = SPAN_COPY_COLUMNS.map(([name, type]) => `${name} ${type}`).join(", ");
const columnList = (names: readonly string[]) => `workspace_id, ${names.join(", ")}`;
const COPY_NAMES = SPAN_COPY_COLUMNS.map(([name]) => name);

/**
 * A COPY job's spans go straight into `spans` (received_at is its default, now()). Jobs of layout 3
 * (queued before costs) lack `cost` (NULL); jobs of layout 2 (queued before versions) also lack the
 * last column, `version`, which is then 0: any newer send wins.
 */
const LAYOUT_NAMES = {
  4: COPY_NAMES,
  3: COPY_NAMES.filter((n) => n !== "cost"),
  2: COPY_NAMES.filter((n) => n !== "cost" && n !== "version"),
};
const COPY_SPANS = {
  4: `COPY spans (${columnList(LAYOUT_NAMES[4])}) FROM STDIN`,
  3: `COPY spans (${columnList(LAYOUT_NAMES[3])}) FROM STDIN`,
  2: `COPY spans (${columnList(LAYOUT_NAMES[2])}) FROM STDIN`,
};
/**
 * The same with each line's partition day after its workspace id (see `dated`): for batches with
 * spans of executions created before today (the column's default).
 */
const COPY_DATED_SPANS = {
  4: `COPY spans (workspace_id, day, ${LAYOUT_NAMES[4].join(", ")}) FROM STDIN`,
  3: `COPY spans (workspace_id, day, ${LAYOUT_NAMES[3].join(", ")}) FROM STDIN`,
  2: `COPY spans (workspace_id, day, ${LAYOUT_NAMES[2].join(", ")}) FROM STDIN`,
};

/**
 * The partition days of a batch: its executions' (id -> YYYY-MM-DD), today's (the day column's
 * default in this transaction), and where stored versions are looked for (those days, the keep
 * day of reviewed executions past retention, and the lookback's recent days).
 */
type BatchDays = { dayOf: Map<string, string>; today: string; lookup: string[]; allToday: boolean };

/**
 * How many days before today the replace and JSON paths look for a stored version of a span:
 * RUNLENS_SPAN_MOVE_LOOKBACK_DAYS, default 1 (today's and yesterday's partitions).
 */
export function spanMoveLookbackDays(): number {
  const v = Number(process.env.RUNLENS_SPAN_MOVE_LOOKBACK_DAYS);
  return Number.isInteger(v) && v >= 0 && v <= 62 ? v : 1;
}

/** `today` (YYYY-MM-DD) and the lookback's days before it. */
function recentDays(today: string): string[] {
  const t = Date.parse(`${today}T00:00:00Z`);
  return Array.from({ length: spanMoveLookbackDays() + 1 }, (_, i) =>
    new Date(t - i * 86_400_000).toISOString().slice(0, 10),
  );
}

/** The lines of a COPY text with each one's partition day inserted after its workspace id. */
function dated(copy: string, lines: readonly CopyLine[], days: BatchDays): string {
  const parts: string[] = [];
  for (const l of lines) {
    const tab = copy.indexOf("\t", l.start);
    parts.push(copy.slice(l.start, tab), "\t", days.dayOf.get(l.executionId) ?? days.today, copy.slice(tab, l.end));
  }
  // One flat string, not a rope of every line's parts (see spanCopyText).
  return parts.join("");
}

/**
 * Before a batch that may resend spans is copied in, the stored versions of its spans, locked:
 * those its lines outrank are deleted (COPY cannot upsert), the lines they outrank are dropped.
 */
const LOCK_STORED_SPANS = `SELECT id, execution_id, status::text <> 'running' AS finished, version FROM spans
  WHERE workspace_id = $1 AND id = ANY($2::text[]) AND day = ANY($3::date[]) ORDER BY id FOR UPDATE`;
/** Deletes outranked versions, returning what the rollup subtracts (RemovedSpan). */
const DELETE_SPANS = `DELETE FROM spans WHERE workspace_id = $1 AND id = ANY($2::text[]) AND day = ANY($3::date[])
  RETURNING ${AGGREGATED_SPAN_SELECT}`;
// `day = ANY($3)`: Postgres prunes the workspace's level (RANGE (day)) to those days' partitions
// (docs/architecture.md › Time partitions › Pruning).

/** A stored version the replace path deleted: the columns the execution rollup aggregates. */
export type RemovedSpan = {
  id: string;
  execution_id: string;
  parent_id: string | null;
  type: string;
  started_at: Date;
  ended_at: Date | null;
  has_error: boolean;
  llm_model: string | null;
  tokens_input: string | null;
  tokens_output: string | null;
  tokens_total: string | null;
  cost: number | null;
};

/** An execution row as READ_EXECUTION_STATES and LOCK_EXECUTION_STATES read it. */
type ExecutionState = { id: string; rollup_ok: boolean; span_count: number; day: string; today: string };

/** One line of a COPY job: its span's id, execution and rank, and where it is in the text. */
export type CopyLine = {
  id: string;
  executionId: string;
  parentId: string | null;
  type: string;
  /** started_at and ended_at as sent (ISO text; ended_at null when absent). */
  startedAt: string;
  endedAt: string | null;
  finished: boolean;
  version: number;
  start: number;
  end: number;
};

/**
 * The lines of a COPY job (fields: workspace id, then SPAN_COPY_COLUMNS, COPY's escapes undone in
 * ids); `versioned` when the last field is the version (layouts 3 and 4).
 */
export function copyLines(copy: string, versioned: boolean): CopyLine[] {
  const lines: CopyLine[] = [];
  let start = 0;
  while (start < copy.length) {
    const nl = copy.indexOf("\n", start);
    const end = nl < 0 ? copy.length : nl + 1;
    const fields: string[] = [];
    let from = copy.indexOf("\t", start) + 1; // after the workspace id
    for (let i = 0; i < 9; i++) {
      const to = copy.indexOf("\t", from);
      fields.push(copy.slice(from, to));
      from = to + 1;
    }
    const last = copy.lastIndexOf("\t", end - 1);
    lines.push({
      id: unescapeCopy(fields[0]),
      executionId: unescapeCopy(fields[1]),
      parentId: fields[2] === "\\N" ? null : unescapeCopy(fields[2]),
      type: unescapeCopy(fields[3]),
      startedAt: fields[7],
      endedAt: fields[8] === "\\N" ? null : fields[8],
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
const FROM_JSON = `(SELECT ${COPY_NAMES.map((n) => (n === "version" ? "COALESCE(r0.version, 0) AS version" : `r0.${n}`)).join(", ")},
    (SELECT (e.created_at AT TIME ZONE 'UTC')::date FROM executions e WHERE e.workspace_id = $1 AND e.id = r0.execution_id) AS day
  FROM jsonb_to_recordset($2::jsonb) AS r0(${SPAN_COLUMNS})) AS r`;
const JSON_SQL = {
  /**
   * Inserts the spans, or replaces them while they stay in their execution and do not outrank the
   * sent version. A resent span that names another execution is left for `move` (its old execution
   * must be rolled up too), so fewer rows than the batch's come back; so do outranked ones.
   */
  upsert: `INSERT INTO spans (workspace_id, ${COPY_NAMES.join(", ")}, received_at, day)
   SELECT $1::text, ${COPY_NAMES.map((name) => (name === "status" ? `r.status::"RunStatus"` : `r.${name}`)).join(", ")}, now(), r.day
   FROM ${FROM_JSON}
   -- A span stored in another day's partition of the batch ($3) moves there (below).
   WHERE NOT EXISTS (SELECT 1 FROM spans o WHERE o.workspace_id = $1 AND o.id = r.id AND o.day = ANY($3::date[]) AND o.day <> r.day)
   ON CONFLICT (workspace_id, id, day) DO UPDATE SET ${spanAssignments("EXCLUDED")}
   WHERE spans.execution_id = EXCLUDED.execution_id AND ${SQL_RANK("EXCLUDED")} >= ${SQL_RANK("spans")}`,
  /** The executions that spans of the batch are moving out of (the rows are locked by the upsert). */
  movedFrom: `SELECT DISTINCT s.execution_id AS id FROM ${FROM_JSON} JOIN spans s ON s.workspace_id = $1 AND s.id = r.id
     AND s.day = ANY($3::date[])
   WHERE s.execution_id <> r.execution_id AND ${SQL_RANK("r")} >= ${SQL_RANK("s")}`,
  /** A move into an execution of another day moves the row into that day's partition. */
  move: `UPDATE spans s SET ${spanAssignments("r")}, day = r.day FROM ${FROM_JSON}
   WHERE s.workspace_id = $1 AND s.id = r.id AND s.day = ANY($3::date[]) AND s.execution_id <> r.execution_id
     AND ${SQL_RANK("r")} >= ${SQL_RANK("s")}`,
};

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

/**
 * Whether `e` is Postgres refusing a span that is stored already: a unique violation of the key of
 * one of spans' partitions (`spans_default_pkey`, `spans_<workspace>_<day>_pkey`).
 */
function isStoredSpanConflict(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === "23505" && /^spans_\w*pkey$/.test(err.constraint ?? "");
}

/** A COPY job in today's layouts (2 to 4): jobs queued without a layout get the workspace column. */
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
  return writeSpanParts(db, [batch.kind === "spans" ? toSpanJob(batch, spanJobFormat(db)) : batch]);
}

/**
 * Where a part's rows come from when they are not in its job (its `copy` or `rows` left empty): the
 * whole job of part `index`, asked for when that part is written (each time it is: a batch may be
 * written again). An Output file's parts stay in the worker thread that made them until then
 * (lib/ingest/sources/output/receive.ts), so the server's thread holds one part at a time.
 */
export type LoadSpanPart = (index: number) => Promise<SpanJob>;

/**
 * Writes a batch given as the jobs of its consecutive parts (toSpanJob of each part, all of one
 * workspace, source and format) like writeSpanBatch, in one transaction, with a statement per part
 * where a job takes one: so no step holds the thread for the whole batch (a 20 MB Output file,
 * lib/ingest/sources/output/receive.ts), and the batch is stored whole or not at all. With `load`,
 * each part's rows are loaded as it is written (see LoadSpanPart).
 */
export async function writeSpanParts(db: Db, parts: readonly SpanJob[], load?: LoadSpanPart): Promise<SpanWriteResult> {
  const [job] = parts;
  if (parts.every((p) => p.count === 0)) return { executionIds: [], via: "json" };
  if (job.kind === "span_rows") return writeSpans(db, parts, "json", load);
  const copyParts = parts.map((p) => withLayout(p as SpanCopyJob));
  const key = `${job.workspaceId}\u0000${job.source}`;
  const until = replaceUntil.get(key);
  if (until === undefined || until < Date.now()) {
    if (until !== undefined) replaceUntil.delete(key);
    try {
      return await writeSpans(db, copyParts, "copy", load);
    } catch (e) {
      if (!isStoredSpanConflict(e)) throw e;
      replaceUntil.set(key, Date.now() + REPLACE_AFTER_CONFLICT_MS);
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeSpans(db, copyParts, "replace", load);
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
export type SpanWriteResult = {
  executionIds: string[];
  via: "copy" | "replace" | "json";
  /** How many executions were rolled up from the batch's spans into their kept aggregates. */
  merged?: number;
};

/** The instant of ISO text in the form toISOString gives, else null (then it is not compared). */
function isoMs(text: string): number | null {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && new Date(ms).toISOString() === text ? ms : null;
}

/**
 * Whether replacing stored version `old` by `line` keeps the execution's kept aggregates mergeable
 * (ROLLUP_INCREMENTAL subtracts the old version and adds the new): it stays in its execution, with
 * the same parent, type and start (so the root and the earliest start stay), no earlier end than
 * before (the latest end), and the old one had no error (the first error). Otherwise the
 * execution is rolled up from all its spans.
 */
function mergeable(old: RemovedSpan, line: CopyLine): boolean {
  const ended = line.endedAt === null ? null : isoMs(line.endedAt);
  return (
    old.execution_id === line.executionId &&
    !old.has_error &&
    old.parent_id === line.parentId &&
    old.type === line.type &&
    isoMs(line.startedAt) === old.started_at.getTime() &&
    (old.ended_at === null || (ended !== null && ended >= old.ended_at.getTime()))
  );
}

/** What the spans of a batch did to its executions (gathered over its parts). */
type PartWrite = {
  /** Executions spans moved out of, not locked before (they are now). */
  movedFrom: string[];
  /** Whether lines were dropped (outranked by stored versions). */
  dropped: boolean;
  /** Ids of the spans written (COPY jobs; for the incremental rollup). */
  written: string[];
  /** The stored versions deleted (the replace path). */
  removed: RemovedSpan[];
  /** Executions to roll up from all their spans (a replaced version not mergeable). */
  full: string[];
};

/**
 * The replace path's spans: stored versions locked, the outranked ones deleted, the batch's lines
 * that are not outranked copied.
 */
async function replaceSpans(
  tx: SqlTx,
  job: Extract<SpanJob, { kind: "span_copy" }> & { layout: 2 | 3 | 4 },
  lines: CopyLine[],
  mergeInto: ReadonlySet<string>,
  days: BatchDays,
): Promise<Omit<PartWrite, "movedFrom">> {
  const ids = lines.map((l) => l.id);
  const stored = await tx.query<{ id: string; execution_id: string; finished: boolean; version: string | number }>(
    LOCK_STORED_SPANS,
    job.workspaceId,
    ids,
    days.lookup,
  );
  const storedById = new Map(stored.map((r) => [r.id, { ...r, version: Number(r.version) }]));
  const kept: CopyLine[] = [];
  const replaced: string[] = [];
  for (const line of lines) {
    const old = storedById.get(line.id);
    if (old && outranks(old, line)) continue;
    kept.push(line);
    if (old) replaced.push(line.id);
  }
  const removed = replaced.length
    ? await tx.query<RemovedSpan>(DELETE_SPANS, job.workspaceId, replaced, days.lookup)
    : [];
  const full = new Set<string>();
  if (removed.length) {
    const lineById = new Map(kept.map((l) => [l.id, l]));
    for (const old of removed) {
      const line = lineById.get(old.id)!;
      if (!mergeable(old, line)) full.add(old.execution_id).add(line.executionId);
    }
  }
  if (!days.allToday) {
    if (kept.length) await tx.copyFrom!(COPY_DATED_SPANS[job.layout], dated(job.copy, kept, days));
  } else {
    const copy = kept.length === lines.length ? job.copy : kept.map((l) => job.copy.slice(l.start, l.end)).join("");
    if (copy) await tx.copyFrom!(COPY_SPANS[job.layout], copy);
  }
  const written = kept.filter((l) => mergeInto.has(l.executionId)).map((l) => l.id);
  return { dropped: kept.length < lines.length, written, removed, full: [...full] };
}

/**
 * The spans of one part (2. of writeSpans); `mergeInto`: the executions that may be rolled up
 * incrementally, whose written spans' ids are wanted (only theirs: the rollup reads each by key).
 */
async function writePartSpans(
  tx: SqlTx,
  job: SpanJob,
  mode: SpanWriteResult["via"],
  locked: Set<string>,
  mergeInto: ReadonlySet<string>,
  days: BatchDays,
): Promise<PartWrite> {
  let result: PartWrite = { movedFrom: [], dropped: false, written: [], removed: [], full: [] };
  if (job.kind === "span_copy") {
    if (!tx.copyFrom) throw new Error("A COPY span job needs Postgres (this database has no COPY FROM STDIN).");
    const layout = job.layout ?? 2;
    if (mode === "replace") {
      const replaced = await replaceSpans(tx, { ...job, layout }, copyLines(job.copy, layout >= 3), mergeInto, days);
      const movedFrom = [...new Set(replaced.removed.map((r) => r.execution_id))]
        .filter((id) => !locked.has(id))
        .sort();
      if (movedFrom.length) await tx.exec(LOCK_EXECUTIONS, job.workspaceId, JSON.stringify(movedFrom));
      result = { ...replaced, movedFrom };
    } else {
      // Spans of executions created today take the day column's default; others are dated.
      const lines = mergeInto.size || !days.allToday ? copyLines(job.copy, layout >= 3) : [];
      if (days.allToday) await tx.copyFrom(COPY_SPANS[layout], job.copy);
      else await tx.copyFrom(COPY_DATED_SPANS[layout], dated(job.copy, lines, days));
      if (mergeInto.size) result.written = lines.filter((l) => mergeInto.has(l.executionId)).map((l) => l.id);
    }
  } else {
    // Upserted where they stay in their execution and are not outranked; the others (fewer rows
    // written) move, or are dropped. (PGlite: its executions are rolled up from all their spans.)
    const written = await tx.exec(JSON_SQL.upsert, job.workspaceId, job.rows, days.lookup);
    if (written < job.count) {
      result.movedFrom = (await tx.query<{ id: string }>(JSON_SQL.movedFrom, job.workspaceId, job.rows, days.lookup))
        .map((r) => r.id)
        .filter((id) => !locked.has(id))
        .sort();
      await tx.exec(LOCK_EXECUTIONS, job.workspaceId, JSON.stringify(result.movedFrom));
      const moved = await tx.exec(JSON_SQL.move, job.workspaceId, job.rows, days.lookup);
      result.dropped = written + moved < job.count;
    }
  }
  for (const id of result.movedFrom) locked.add(id);
  return result;
}

/** Part `index` with its rows (see LoadSpanPart), in the layout its listed job has. */
async function loadPart(listed: SpanJob, index: number, load: LoadSpanPart): Promise<SpanJob> {
  const job = await load(index);
  if (job.kind !== listed.kind || job.count !== listed.count)
    throw new Error(`Span part ${index} is not the part listed (${job.kind} of ${job.count} spans).`);
  return job.kind === "span_copy" ? withLayout(job) : job;
}

/** One transaction of writeSpanParts. */
async function writeSpans(
  db: Db,
  parts: readonly SpanJob[],
  mode: SpanWriteResult["via"],
  load?: LoadSpanPart,
): Promise<SpanWriteResult> {
  const [job] = parts;
  const contexts = partsExecutions(parts);
  let movedOut: string[] = [];
  let mergedCount = 0;
  await withTransaction(db, async (tx) => {
    const agents = await resolveAgents(
      tx,
      job.workspaceId,
      contexts.map((c) => c.agent),
    );
    const ctx = contexts.map((c) => ({ ...c, agent_id: agents.get(c.agent)! }));

    // 1. Every span's execution exists (spans have no foreign key: this is what keeps it so); rows in
    // id order to avoid deadlocks. The ones created here come back (locked by their insert until the
    // commit): if all their spans turn out to be outranked by stored versions in other executions,
    // they go again (2.).
    // `day`, when given (an execution created again under the lock, below), is the partition day its
    // spans were copied into: an earlier day makes it created at that day's start, so its spans are
    // read from where they are.
    const createMissing = (of: ((typeof ctx)[number] & { day?: string })[]) =>
      tx.query<{ id: string }>(
        `INSERT INTO executions (workspace_id, id, agent_id, name, type, status, source, started_at, created_at, updated_at)
           SELECT $1::text, c.execution_id, c.agent_id, c.execution_id, 'custom_execution', 'running', $3::"TraceSource", c.started_at,
             CASE WHEN c.day IS NULL OR c.day >= (now() AT TIME ZONE 'UTC')::date THEN now() ELSE c.day::timestamp AT TIME ZONE 'UTC' END,
             now()
           FROM jsonb_to_recordset($2::jsonb) AS c(execution_id text, agent_id text, started_at timestamptz, day date)
           ORDER BY c.execution_id
           ON CONFLICT (workspace_id, id) DO NOTHING
           RETURNING id`,
        job.workspaceId,
        JSON.stringify(of),
        job.source,
      );
    const created = await createMissing(ctx);

    // Their days (an execution's created_at never changes) and whether they keep their aggregates,
    // read without locking them: the spans go in (2.) while other batches of the same executions
    // are rolled up; the rows are locked only for this batch's own rollup (3.).
    const states = await tx.query<ExecutionState>(
      READ_EXECUTION_STATES,
      job.workspaceId,
      JSON.stringify(contexts.map((c) => c.execution_id)),
    );
    const today = states[0]?.today ?? new Date().toISOString().slice(0, 10);
    const dayOf = new Map(states.map((s) => [s.id, s.day]));
    // Where the replace and JSON paths look for stored versions: the batch's days, the keep day
    // and the last days of the workspace (a span resent under an execution of another of these
    // days moves). Not every partition: by id, each costs one more index probe per span
    // (docs/architecture.md › Time partitions; measured in docs/performance.md).
    const days: BatchDays = {
      dayOf,
      today,
      lookup: [...new Set([...dayOf.values(), ...recentDays(today), KEEP_DAY])].sort(),
      allToday: states.every((s) => s.day === today),
    };
    const createdIds = new Set(created.map((c) => c.id));
    const minSpans = incrementalRollupMinSpans();
    const candidates = states.filter((s) => s.rollup_ok && !createdIds.has(s.id) && s.span_count >= minSpans);
    const mergeInto = new Set(mode === "json" ? [] : candidates.map((s) => s.id));

    // 2. Spans: inserted, or replacing stored versions they are not outranked by. A resent span may
    // name another execution than before: the executions spans leave are rolled up too. Those are
    // locked only once known, so a deadlock with a batch that locks them first is possible; Postgres
    // then fails one batch, which is retried.
    const touched = new Set(ctx.map((c) => c.execution_id));
    const movedFrom: string[] = [];
    const written: string[] = [];
    const removed: RemovedSpan[] = [];
    let dropped = false;
    const locked = new Set(touched);
    for (let i = 0; i < parts.length; i++) {
      const part = load ? await loadPart(parts[i], i, load) : parts[i];
      const w = await writePartSpans(tx, part, mode, locked, mergeInto, days);
      movedFrom.push(...w.movedFrom);
      written.push(...w.written);
      removed.push(...w.removed);
      for (const id of w.full) mergeInto.delete(id);
      dropped ||= w.dropped;
    }
    for (const id of movedFrom) mergeInto.delete(id);

    // Batches of one execution written at the same time (parallel workers, concurrent OTLP
    // exports of one trace) take turns from here: each rollup (3.) starts once the batch before it
    // has committed, so it reads that batch's spans and aggregates (read committed: a statement
    // sees what committed before it started); without the lock the last to commit would overwrite
    // the execution with a count that misses spans. Row locks in id order, as above. What was read
    // unlocked is read again: an execution that stopped keeping its aggregates meanwhile is rolled
    // up in full (always exact), and one deleted meanwhile is created again, as step 1 would have.
    const lockedStates = await tx.query<ExecutionState>(
      LOCK_EXECUTION_STATES,
      job.workspaceId,
      JSON.stringify(contexts.map((c) => c.execution_id)),
    );
    const stillMergeable = new Set(
      lockedStates.filter((s) => s.rollup_ok && s.span_count >= minSpans).map((s) => s.id),
    );
    for (const id of [...mergeInto]) if (!stillMergeable.has(id)) mergeInto.delete(id);
    if (lockedStates.length < contexts.length) {
      const present = new Set(lockedStates.map((s) => s.id));
      const gone = ctx.filter((c) => !present.has(c.execution_id));
      created.push(...(await createMissing(gone.map((c) => ({ ...c, day: dayOf.get(c.execution_id) })))));
    }
    if (dropped && created.length)
      await tx.exec(
        `DELETE FROM executions e WHERE e.workspace_id = $1 AND e.id = ${anyOfJsonArray("$2")}
           AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.workspace_id = $1 AND s.execution_id = e.id AND s.day = ANY(${executionDaysSql(executionDaySql("e"))}))`,
        job.workspaceId,
        JSON.stringify(created.map((c) => c.id)),
      );
    const left = movedFrom
      .filter((id) => !touched.has(id))
      .map((execution_id) => ({ execution_id, agent_id: null, agent_from_root: false }));

    // 3. Roll the touched executions up: from the batch's spans into kept aggregates, else (and
    // where that finds nothing to merge into) from all their stored spans. Exact either way, and
    // unchanged by resends.
    let full: { execution_id: string }[] = [...ctx.filter((c) => !mergeInto.has(c.execution_id)), ...left];
    if (mergeInto.size) {
      const merged = await tx.query<{ id: string }>(
        ROLLUP_INCREMENTAL,
        job.workspaceId,
        JSON.stringify(ctx.filter((c) => mergeInto.has(c.execution_id))),
        job.source,
        written,
        JSON.stringify(removed.filter((r) => mergeInto.has(r.execution_id))),
        [...new Set([...candidates.filter((s) => mergeInto.has(s.id)).map((s) => s.day), KEEP_DAY])],
      );
      const done = new Set(merged.map((r) => r.id));
      mergedCount = done.size;
      full = [...full, ...ctx.filter((c) => mergeInto.has(c.execution_id) && !done.has(c.execution_id))];
    }
    if (full.length) await tx.exec(ROLLUP_EXECUTIONS, job.workspaceId, JSON.stringify(full), job.source);
    // An execution whose every span moved out has nothing to roll up from: it stays, empty.
    if (left.length)
      await tx.exec(
        `UPDATE executions e SET span_count = 0, has_conversation = false, tokens_input = 0, tokens_output = 0,
             tokens_total = 0, cost = NULL, llm_duration_ms = NULL, llm_latency = NULL, rollup_ok = false, updated_at = now()
           WHERE e.workspace_id = $1 AND e.id = ${anyOfJsonArray("$2")}
             AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.workspace_id = $1 AND s.execution_id = e.id AND s.day = ANY(${executionDaysSql(executionDaySql("e"))}))`,
        job.workspaceId,
        JSON.stringify(left.map((l) => l.execution_id)),
      );
    movedOut = left.map((l) => l.execution_id);
  });
  await keepExecutionStatsFresh(db);
  void compactRollupsSoon(db);
  return { executionIds: [...contexts.map((c) => c.execution_id), ...movedOut], via: mode, merged: mergedCount };
}
