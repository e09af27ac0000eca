import "server-only";
import { createHash } from "node:crypto";
import type { FailedItem } from "../contracts/ingestion.ts";
import type { Db } from "../db/index.ts";
import { logger } from "../log.ts";
import type { EventBatch, Source, SpanJob, SpanRow } from "./model.ts";
import { copyLines, withLayout } from "./write/spans.ts";

/**
 * Poison isolation: an accepted batch that Postgres refuses to store is split until the item it
 * refuses is alone; every other item is stored, and that one is kept in `ingest_failures` (with its
 * id, source, error and the request it came from), listed and retryable in Settings › Ingestion.
 * Validation at the edge matches the storage domain, so this is the net under it, not the rule.
 */

/** A job the writer takes: a span job (COPY text or JSON rows) or an event batch. */
export type WriteJob = SpanJob | EventBatch;

/** An accepted item the writer could not store: alone in its own job. */
export type UnstorableItem = { itemId: string; kind: "span" | "event"; error: string; job: WriteJob };

/** SQLSTATE classes of a refusal of the data itself: data exceptions, integrity violations, program limits. */
const DATA_CLASSES = new Set(["22", "23", "54"]);
const NOT_ITEM_STATES = new Set(["23505", "23503"]);

/** The SQLSTATE of a database error, from node-postgres or from Prisma's driver adapters. */
function sqlState(e: unknown): string | null {
  const err = e as {
    code?: unknown;
    meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } };
    cause?: { code?: unknown; originalCode?: unknown };
  } | null;
  // Prisma's own codes (P2010 for a failed raw query) look like SQLSTATEs: the driver's comes first.
  const candidates = [
    err?.meta?.driverAdapterError?.cause?.originalCode,
    err?.meta?.code,
    err?.cause?.originalCode,
    err?.cause?.code,
    (e as Error)?.name?.startsWith("PrismaClient") ? null : err?.code,
  ];
  for (const c of candidates) if (typeof c === "string" && /^[0-9A-Z]{5}$/.test(c)) return c;
  return null;
}

/**
 * Whether the database refused the data (retrying the same batch cannot help; splitting it can).
 * Not: unique violations (races the writers retry themselves) and foreign-key violations (the
 * workspace went away: the whole batch fails, and splitting it would only multiply the attempts).
 * JavaScript's RangeError and TypeError come from serializing a value (e.g. an invalid date).
 */
export function isUnstorable(e: unknown): boolean {
  const state = sqlState(e);
  if (state) return !NOT_ITEM_STATES.has(state) && DATA_CLASSES.has(state.slice(0, 2));
  return e instanceof RangeError || e instanceof TypeError;
}

/** The ids of a job's items, in order. */
function itemIds(job: WriteJob): string[] {
  if (job.kind === "events") return job.events.map((e) => e.id);
  if (job.kind === "span_rows") return (JSON.parse(job.rows) as SpanRow[]).map((r) => r.id);
  const laid = withLayout(job);
  return copyLines(laid.copy, laid.layout >= 3).map((l) => l.id);
}

/** A span job of some of `job`'s executions: those `executionIds` names. */
function withExecutions<J extends SpanJob>(job: J, executionIds: Set<string>, count: number): J {
  return { ...job, executions: job.executions.filter((c) => executionIds.has(c.execution_id)), count };
}

/** The job's two halves, or null when it holds one item. */
export function splitJob(job: WriteJob): [WriteJob, WriteJob] | null {
  if (job.kind === "events") {
    if (job.events.length < 2) return null;
    const mid = job.events.length >> 1;
    return [
      { ...job, events: job.events.slice(0, mid) },
      { ...job, events: job.events.slice(mid) },
    ];
  }
  if (job.kind === "span_rows") {
    const rows = JSON.parse(job.rows) as SpanRow[];
    if (rows.length < 2) return null;
    const mid = rows.length >> 1;
    const half = (part: SpanRow[]) =>
      withExecutions({ ...job, rows: JSON.stringify(part) }, new Set(part.map((r) => r.execution_id)), part.length);
    return [half(rows.slice(0, mid)), half(rows.slice(mid))];
  }
  const laid = withLayout(job);
  const lines = copyLines(laid.copy, laid.layout >= 3);
  if (lines.length < 2) return null;
  const mid = lines.length >> 1;
  const half = (part: typeof lines) =>
    withExecutions(
      { ...laid, copy: laid.copy.slice(part[0].start, part[part.length - 1].end) },
      new Set(part.map((l) => l.executionId)),
      part.length,
    );
  return [half(lines.slice(0, mid)), half(lines.slice(mid))];
}

/**
 * Writes `job` with `write`; when the database refuses its data, writes each half alone, down to
 * single items, and returns those it still refuses. Any other error (connection, timeout) is
 * thrown, and the whole job is retried: writes are idempotent by id and version, so the halves
 * already stored are only written again.
 */
export async function writeIsolating<R>(
  job: WriteJob,
  write: (job: WriteJob) => Promise<R>,
): Promise<{ written: R[]; unstorable: UnstorableItem[] }> {
  const written: R[] = [];
  const unstorable: UnstorableItem[] = [];
  const attempt = async (part: WriteJob): Promise<void> => {
    try {
      written.push(await write(part));
    } catch (e) {
      if (!isUnstorable(e)) throw e;
      const halves = splitJob(part);
      if (!halves) {
        const [itemId] = itemIds(part);
        unstorable.push({
          itemId,
          kind: part.kind === "events" ? "event" : "span",
          error: (e as Error).message,
          job: part,
        });
        return;
      }
      for (const half of halves) await attempt(half);
    }
  };
  await attempt(job);
  return { written, unstorable };
}

/** The source of a job's items (events come from the SDK's track()). */
const sourceOf = (job: WriteJob): Source => (job.kind === "events" ? "sdk" : job.source);

/**
 * Keeps unstorable items in `ingest_failures`. The id is derived from the item and its job, so a
 * job retried after a later failure records each item once (its attempts counted).
 */
export async function recordUnstorable(db: Db, items: UnstorableItem[]): Promise<void> {
  for (const item of items) {
    const text = JSON.stringify(item.job);
    const id = `if_${createHash("sha256").update(item.job.workspaceId).update("\u0000").update(text).digest("hex").slice(0, 24)}`;
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO ingest_failures (id, workspace_id, source, kind, item_id, request_id, error, job)
         VALUES ($1, $2, $3::"TraceSource", $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET attempts = ingest_failures.attempts + 1, error = EXCLUDED.error, failed_at = now()`,
      id,
      item.job.workspaceId,
      sourceOf(item.job),
      item.kind,
      // Text columns refuse U+0000: the id is kept readable, the job keeps it exactly (JSON escapes it).
      item.itemId.replaceAll("\u0000", "\uFFFD"),
      item.job.requestId ?? null,
      item.error.replaceAll("\u0000", "\uFFFD"),
      text,
    );
    logger("ingest").error(
      { workspaceId: item.job.workspaceId, requestId: item.job.requestId, kind: item.kind, itemId: item.itemId },
      `stored apart: ${item.error}`,
    );
  }
}

/** A workspace's unstorable items, newest first. */
export async function failedItems(db: Db, workspaceId: string, limit = 200): Promise<FailedItem[]> {
  const rows = await db.prisma.ingestFailure.findMany({
    where: { workspaceId },
    orderBy: { failedAt: "desc" },
    take: limit,
    select: {
      id: true,
      kind: true,
      source: true,
      itemId: true,
      requestId: true,
      error: true,
      attempts: true,
      failedAt: true,
    },
  });
  return rows.map((r) => ({ ...r, kind: r.kind as FailedItem["kind"], failedAt: r.failedAt.toISOString() }));
}

/**
 * Writes a failed item again (after a fix, or when its cause was transient after all): stored, it
 * leaves the list; refused again, its error and attempts are updated. Returns false when no such
 * item is in this workspace.
 */
export async function retryFailedItem(
  db: Db,
  workspaceId: string,
  id: string,
  write: (job: WriteJob) => Promise<UnstorableItem[]>,
): Promise<boolean> {
  const row = await db.prisma.ingestFailure.findFirst({ where: { id, workspaceId }, select: { job: true } });
  if (!row) return false;
  const failed = await write(JSON.parse(row.job) as WriteJob);
  if (failed.length === 0) await db.prisma.ingestFailure.deleteMany({ where: { id, workspaceId } });
  else
    await db.prisma.ingestFailure.updateMany({
      where: { id, workspaceId },
      data: { attempts: { increment: 1 }, error: failed[0].error, failedAt: new Date() },
    });
  return true;
}
