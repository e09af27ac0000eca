import "server-only";
import type { AppliedPrice } from "../contracts/models.ts";
import type { Db } from "../db/index.ts";
import { anyOfJsonArray } from "../db/sql.ts";
import { withTransaction } from "../db/transaction.ts";
import type { SpanRow } from "../ingest/model.ts";
import { forgetWorkspaceSettings, priceTableFor } from "../ingest/workspace-settings.ts";
import { LOCK_EXECUTIONS } from "../ingest/write/rollup.ts";
import { PRICED_SPAN_TYPES, priceSpan } from "./apply.ts";

/** The job that recomputes a workspace's costs, run by the ingest worker (lib/ingest/pipeline.ts). */
export type RecomputeCostsJob = { kind: "recompute_costs"; workspaceId: string };

const PAGE = 2000;
const TYPES = `(${PRICED_SPAN_TYPES.map((t) => `'${t}'`).join(",")})`;

type PricedRow = {
  id: string;
  execution_id: string;
  type: string;
  started_at: Date | string;
  llm_model: string | null;
  llm: unknown;
  tokens_input: string | number | bigint | null;
  tokens_output: string | number | bigint | null;
  cost: number | null;
  version: string | number | bigint;
};

const PAGE_SQL = `SELECT id, execution_id, type, started_at, llm_model, llm, tokens_input, tokens_output, cost, version
  FROM spans WHERE workspace_id = $1 AND type IN ${TYPES} AND id > $2 ORDER BY id LIMIT ${PAGE}`;
/** Only the version read is changed: a newer one, stored meanwhile, was priced when it came in. */
const UPDATE_SPANS = `UPDATE spans s SET cost = v.cost, llm = v.llm
  FROM jsonb_to_recordset($2::jsonb) AS v(id text, cost float8, llm jsonb, version bigint)
  WHERE s.workspace_id = $1 AND s.id = v.id AND s.version = v.version`;
/** The changed executions' cost and its kept aggregates (lib/ingest/write/rollup.ts), from their calls. */
const ROLLUP_COST = `UPDATE executions e SET agg_cost = c.cost, agg_priced = c.priced,
    cost = CASE WHEN c.priced > 0 THEN c.cost::float8 END, updated_at = now()
  FROM (SELECT x.id, a.cost, a.priced FROM executions x CROSS JOIN LATERAL (
      SELECT COALESCE(sum(s.cost::numeric), 0) AS cost, count(s.cost)::int AS priced
      FROM spans s WHERE s.workspace_id = $1 AND s.execution_id = x.id) a
    WHERE x.workspace_id = $1 AND x.id = ${anyOfJsonArray("$2")}) c
  WHERE e.workspace_id = $1 AND e.id = c.id`;

const num = (v: string | number | bigint | null) => (v === null ? null : Number(v));

/** The price a stored call names (llm.price), comparable whatever the order of its JSON keys. */
function priceKey(llm: unknown): string {
  const p = (llm as { price?: Partial<AppliedPrice> } | null)?.price;
  return p ? [p.model, p.startsAt, p.input, p.output, p.cachedInput, p.reasoning].join("\u0000") : "";
}

/**
 * Recomputes the cost of every model call of a workspace from its current price table (after an
 * edit), page by page in id order, and rolls the changed executions' costs up again. Calls whose
 * cost the client sent keep it. Each page is one transaction that locks its executions first, in
 * the order ingest locks them, so it neither deadlocks with nor undoes a concurrent write.
 */
export async function recomputeCosts(db: Db, workspaceId: string): Promise<number> {
  forgetWorkspaceSettings(workspaceId);
  const table = await priceTableFor(db, workspaceId);
  let after = "";
  let changed = 0;
  for (;;) {
    const rows = await db.prisma.$queryRawUnsafe<PricedRow[]>(PAGE_SQL, workspaceId, after);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    const updates: { id: string; cost: number | null; llm: unknown; version: string }[] = [];
    const executions = new Set<string>();
    for (const r of rows) {
      const span = {
        type: r.type,
        llm: r.llm,
        llm_model: r.llm_model,
        started_at: new Date(r.started_at).toISOString(),
        tokens_input: num(r.tokens_input),
        tokens_output: num(r.tokens_output),
      } as SpanRow;
      const priced = priceSpan(span, table);
      const cost = priced.cost ?? null;
      if (cost === r.cost && priceKey(priced.llm) === priceKey(r.llm)) continue;
      updates.push({ id: r.id, cost, llm: priced.llm ?? null, version: String(r.version) });
      executions.add(r.execution_id);
    }
    if (updates.length) {
      const ids = JSON.stringify([...executions].sort());
      await withTransaction(db, async (tx) => {
        await tx.exec(LOCK_EXECUTIONS, workspaceId, ids);
        await tx.exec(UPDATE_SPANS, workspaceId, JSON.stringify(updates));
        await tx.exec(ROLLUP_COST, workspaceId, ids);
      });
      changed += updates.length;
    }
    if (rows.length < PAGE) break;
  }
  return changed;
}

/** Runs a queued recompute and records how it went in the workspace's price table row. */
export async function runRecomputeJob(db: Db, job: RecomputeCostsJob): Promise<void> {
  const { workspaceId } = job;
  const set = (data: Record<string, unknown>) => db.prisma.modelPriceTable.updateMany({ where: { workspaceId }, data });
  await set({ recomputeState: "running" });
  try {
    const spans = await recomputeCosts(db, workspaceId);
    await set({ recomputeState: "done", recomputeFinishedAt: new Date(), recomputeSpans: spans, recomputeError: null });
  } catch (e) {
    await set({
      recomputeState: "failed",
      recomputeFinishedAt: new Date(),
      recomputeError: e instanceof Error ? e.message : String(e),
    });
  }
}
