import "server-only";
import type {
  CreateReview,
  Review,
  ReviewList,
  ReviewListQuery,
  ReviewStats,
  UpdateReview,
} from "../contracts/reviews.ts";
import { PRIORITIES, RATINGS, REVIEW_STATUSES } from "../contracts/reviews.ts";
import type { Prisma } from "../db/generated/client.ts";
import type { Db } from "../db/index.ts";
import { noteWrite } from "../db/replicas.ts";
import { ApiError, ConflictError, NotFoundError, ValidationError } from "../errors.ts";

/**
 * QA reviews: one per execution. Search is Portuguese full-text, stemmed and accent-insensitive:
 * accents are folded with translate() (built in, immutable: no extension needed on any Postgres),
 * the `search` tsvector is rewritten on every write, and queries are folded the same way.
 */

const ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñýÿ";
const PLAIN = "aaaaaaeeeeiiiiooooouuuucnyy";
/** SQL: lowercase and fold Portuguese accents of a text expression. */
const fold = (expr: string) => `translate(lower(${expr}), '${ACCENTED}', '${PLAIN}')`;
const SEARCH_VECTOR = `to_tsvector('portuguese', ${fold(`coalesce(comment, '') || ' ' || coalesce(resolution_notes, '') || ' ' || coalesce(corrected_output, '')`)})`;

type Row = Prisma.ReviewGetPayload<{ include: { agent: { select: { name: true } } } }>;

function toReview(r: Row): Review {
  return {
    id: r.id,
    executionId: r.executionId,
    agentId: r.agentId,
    agent: r.agent.name,
    rating: r.rating,
    comment: r.comment,
    priority: r.priority,
    tags: r.tags,
    status: r.status,
    actionTaken: r.actionTaken,
    resolutionNotes: r.resolutionNotes,
    correctedOutput: r.correctedOutput,
    reviewedBy: r.reviewedBy,
    assigneeId: r.assigneeId,
    resolvedBy: r.resolvedBy,
    resolvedAt: r.resolvedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const include = { agent: { select: { name: true } } } as const;

async function refreshSearch(db: Db, id: string) {
  await db.prisma.$executeRawUnsafe(`UPDATE reviews SET search = ${SEARCH_VECTOR} WHERE id = $1`, id);
}

export async function createReview(
  db: Db,
  workspaceId: string,
  input: CreateReview,
  reviewedBy: string,
): Promise<{ reviewId: string }> {
  const execution = await db.prisma.execution.findUnique({
    where: { workspaceId_id: { workspaceId, id: input.executionId } },
    include: { agent: { select: { id: true, name: true } } },
  });
  if (!execution) throw new NotFoundError("execution_not_found", "No execution with this id.");
  if (input.agentId !== execution.agent.id && input.agentId !== execution.agent.name) {
    throw new ValidationError("agentId does not match the execution's agent.", [
      { path: "agentId", message: `The execution belongs to agent "${execution.agent.name}".` },
    ]);
  }
  try {
    const review = await db.prisma.review.create({
      data: {
        workspaceId,
        executionId: input.executionId,
        agentId: execution.agent.id,
        rating: input.rating,
        comment: input.comment,
        priority: input.priority ?? "medium",
        tags: input.tags ?? [],
        reviewedBy,
      },
    });
    await refreshSearch(db, review.id);
    noteWrite(workspaceId); // the export (on a replica) reads the primary for a while (lib/db/replicas.ts)
    return { reviewId: review.id };
  } catch (e) {
    if ((e as { code?: string }).code === "P2002")
      throw new ConflictError("review_already_exists", "This execution already has a review.");
    throw e;
  }
}

export async function checkReview(db: Db, workspaceId: string, executionId: string) {
  const r = await db.prisma.review.findUnique({
    where: { workspaceId_executionId: { workspaceId, executionId } },
    select: { id: true },
  });
  return r ? { hasReview: true, reviewId: r.id } : { hasReview: false };
}

export async function getReview(db: Db, workspaceId: string, id: string): Promise<Review> {
  const r = await db.prisma.review.findFirst({ where: { id, workspaceId }, include });
  if (!r) throw new NotFoundError("review_not_found", "No review with this id.");
  return toReview(r);
}

/** Applies changes; moving to resolved stamps resolvedBy and resolvedAt (leaving resolved clears them). */
export async function updateReview(
  db: Db,
  workspaceId: string,
  id: string,
  patch: UpdateReview,
  actor: string,
): Promise<Review> {
  const current = await db.prisma.review.findFirst({ where: { id, workspaceId } });
  if (!current) throw new NotFoundError("review_not_found", "No review with this id.");
  if (patch.assigneeId) {
    const member = await db.prisma.member.findUnique({
      where: { workspaceId_userId: { workspaceId, userId: patch.assigneeId } },
    });
    if (!member)
      throw new ValidationError("The assignee is not a member of this workspace.", [
        { path: "assigneeId", message: "Not a member." },
      ]);
  }
  const resolving = patch.status === "resolved" && current.status !== "resolved";
  const leaving = patch.status !== undefined && patch.status !== "resolved" && current.status === "resolved";
  await db.prisma.review.update({
    where: { id },
    data: {
      ...patch,
      ...(resolving ? { resolvedBy: actor, resolvedAt: new Date() } : {}),
      ...(leaving ? { resolvedBy: null, resolvedAt: null } : {}),
    },
  });
  await refreshSearch(db, id);
  noteWrite(workspaceId);
  return getReview(db, workspaceId, id);
}

export async function deleteReview(db: Db, workspaceId: string, id: string): Promise<void> {
  const { count } = await db.prisma.review.deleteMany({ where: { id, workspaceId } });
  noteWrite(workspaceId);
  if (count === 0) throw new NotFoundError("review_not_found", "No review with this id.");
}

export async function agentFilter(db: Db, workspaceId: string, agentId?: string): Promise<string | null | undefined> {
  if (!agentId) return undefined;
  const a = await db.prisma.agent.findFirst({
    where: { workspaceId, OR: [{ id: agentId }, { name: agentId }] },
    select: { id: true },
  });
  return a?.id ?? null;
}

/** Accent-folded text for a tsquery, matching the stored vector. */
export function foldText(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

export async function listReviews(db: Db, workspaceId: string, q: ReviewListQuery): Promise<ReviewList> {
  const agentId = await agentFilter(db, workspaceId, q.agentId);
  if (agentId === null) return { reviews: [], nextCursor: null, total: 0 };
  const where: Prisma.ReviewWhereInput = {
    workspaceId,
    ...(agentId ? { agentId } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.rating ? { rating: q.rating } : {}),
    ...(q.priority ? { priority: q.priority } : {}),
    ...(q.tag ? { tags: { has: q.tag } } : {}),
    ...(q.assigneeId ? { assigneeId: q.assigneeId } : {}),
    ...(q.dateFrom || q.dateTo
      ? { createdAt: { ...(q.dateFrom ? { gte: q.dateFrom } : {}), ...(q.dateTo ? { lte: q.dateTo } : {}) } }
      : {}),
  };
  if (q.search) {
    const ids = await db.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM reviews WHERE workspace_id = $1 AND search @@ plainto_tsquery('portuguese', $2)`,
      workspaceId,
      foldText(q.search),
    );
    where.id = { in: ids.map((r) => r.id) };
  }
  let offset = 0;
  if (q.cursor) {
    offset = Number(Buffer.from(q.cursor, "base64url").toString("utf8"));
    // An offset beyond Postgres's int range is refused here, not by the query.
    if (!Number.isInteger(offset) || offset < 0 || offset > 2_147_483_647)
      throw new ApiError(400, "validation_error", "The cursor is not valid.", [
        { path: "cursor", message: "Invalid cursor." },
      ]);
  }
  // Priority sort is the queue's triage order: urgent..low (enum order, descending), oldest first.
  const orderBy: Prisma.ReviewOrderByWithRelationInput[] =
    q.sort === "priority"
      ? [{ priority: "desc" }, { createdAt: "asc" }, { id: "asc" }]
      : [{ createdAt: "desc" }, { id: "desc" }];
  const [total, page] = await Promise.all([
    db.prisma.review.count({ where }),
    db.prisma.review.findMany({ where, include, orderBy, skip: offset, take: q.limit }),
  ]);
  const next = offset + page.length;
  return {
    reviews: page.map(toReview),
    total,
    nextCursor: next < total ? Buffer.from(String(next)).toString("base64url") : null,
  };
}

export async function reviewStats(db: Db, workspaceId: string, agentIdOrName?: string): Promise<ReviewStats> {
  const agentId = await agentFilter(db, workspaceId, agentIdOrName);
  const zero = <K extends string>(keys: readonly K[]) =>
    Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const stats: ReviewStats = {
    total: 0,
    byStatus: zero(REVIEW_STATUSES),
    byRating: zero(RATINGS),
    byPriority: zero(PRIORITIES),
    avgResolutionHours: null,
  };
  if (agentId === null) return stats;
  const where = { workspaceId, ...(agentId ? { agentId } : {}) };
  const [byStatus, byRating, byPriority, avg] = await Promise.all([
    db.prisma.review.groupBy({ by: ["status"], where, _count: { _all: true } }),
    db.prisma.review.groupBy({ by: ["rating"], where, _count: { _all: true } }),
    db.prisma.review.groupBy({ by: ["priority"], where, _count: { _all: true } }),
    db.prisma.$queryRawUnsafe<{ hours: number | null }[]>(
      `SELECT avg(extract(epoch FROM (resolved_at - created_at)) / 3600.0)::float8 AS hours FROM reviews
       WHERE workspace_id = $1 AND resolved_at IS NOT NULL ${agentId ? "AND agent_id = $2" : ""}`,
      ...(agentId ? [workspaceId, agentId] : [workspaceId]),
    ),
  ]);
  for (const g of byStatus) stats.byStatus[g.status] = g._count._all;
  for (const g of byRating) stats.byRating[g.rating] = g._count._all;
  for (const g of byPriority) stats.byPriority[g.priority] = g._count._all;
  stats.total = byStatus.reduce((a, g) => a + g._count._all, 0);
  stats.avgResolutionHours =
    avg[0]?.hours === null || avg[0]?.hours === undefined ? null : Math.round(avg[0].hours * 100) / 100;
  return stats;
}
