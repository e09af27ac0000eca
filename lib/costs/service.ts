import "server-only";
import { readConfig } from "../config.ts";
import type { ModelPrice, ModelPricesResponse, RecomputeStatus } from "../contracts/models.ts";
import { Prisma } from "../db/generated/client.ts";
import type { Db } from "../db/index.ts";
import { INGEST_QUEUE } from "../ingest/pipeline.ts";
import { forgetWorkspaceSettings, readCustomModelPrices } from "../ingest/workspace-settings.ts";
import { logger } from "../log.ts";
import { getQueue } from "../queue/index.ts";
import { PRICED_SPAN_TYPES } from "./apply.ts";
import { DEFAULT_MODEL_PRICES } from "./default-prices.ts";
import { type RecomputeCostsJob, runRecomputeJob } from "./recompute.ts";

const UNPRICED_LIMIT = 50;

/** Settings › Models: the workspace's price table, the built-in one, unpriced models, recompute state. */
export async function getModelPrices(db: Db, workspaceId: string): Promise<ModelPricesResponse> {
  const [custom, unpriced, row] = await Promise.all([
    readCustomModelPrices(db, workspaceId),
    unpricedModels(db, workspaceId),
    db.prisma.modelPriceTable.findUnique({ where: { workspaceId } }),
  ]);
  const recompute: RecomputeStatus = {
    state: (row?.recomputeState as RecomputeStatus["state"] | undefined) ?? "idle",
    requestedAt: row?.recomputeRequestedAt?.toISOString() ?? null,
    finishedAt: row?.recomputeFinishedAt?.toISOString() ?? null,
    spans: row?.recomputeSpans ?? null,
    error: row?.recomputeError ?? null,
  };
  return {
    prices: custom ?? DEFAULT_MODEL_PRICES,
    custom: custom !== null,
    defaults: DEFAULT_MODEL_PRICES,
    unpriced,
    recompute,
  };
}

/**
 * Replaces the workspace's price table. New calls are priced with it at once (in this process;
 * others within the settings cache's freshness); stored ones when a recompute runs.
 */
export async function putModelPrices(
  db: Db,
  workspaceId: string,
  prices: ModelPrice[] | null,
): Promise<ModelPricesResponse> {
  const normalized = prices?.map((p) => ({
    model: p.model,
    provider: p.provider || null,
    startsAt: p.startsAt ?? null,
    input: p.input,
    output: p.output,
    cachedInput: p.cachedInput ?? null,
    reasoning: p.reasoning ?? null,
  }));
  const value = normalized ?? Prisma.DbNull;
  await db.prisma.modelPriceTable.upsert({
    where: { workspaceId },
    create: { workspaceId, prices: value },
    update: { prices: value },
  });
  forgetWorkspaceSettings(workspaceId);
  return getModelPrices(db, workspaceId);
}

/**
 * Recomputes every stored call's cost (lib/costs/recompute.ts): with Redis queued for the ingest
 * workers; embedded, where this process is the worker, started here in the background. Either way
 * the answer comes at once, and the state in the response (then GET) says how it goes.
 */
export async function requestRecompute(db: Db, workspaceId: string): Promise<ModelPricesResponse> {
  const requested = { recomputeState: "queued", recomputeRequestedAt: new Date(), recomputeError: null };
  await db.prisma.modelPriceTable.upsert({
    where: { workspaceId },
    create: { workspaceId, ...requested },
    update: requested,
  });
  const job: RecomputeCostsJob = { kind: "recompute_costs", workspaceId };
  if (readConfig().redisUrl) await (await getQueue<RecomputeCostsJob>(INGEST_QUEUE)).enqueue(job);
  else
    void runRecomputeJob(db, job).catch((e) => logger("costs").error({ err: e, workspaceId }, "cost recompute failed"));
  return getModelPrices(db, workspaceId);
}

/** Models of stored calls without a cost (no price matched, or no token counts), most calls first. */
async function unpricedModels(db: Db, workspaceId: string): Promise<ModelPricesResponse["unpriced"]> {
  const types = PRICED_SPAN_TYPES.map((t) => `'${t}'`).join(",");
  const rows = await db.prisma.$queryRawUnsafe<{ model: string; calls: bigint | number; last: Date }[]>(
    `SELECT llm_model AS model, count(*) AS calls, max(started_at) AS last FROM spans
      WHERE workspace_id = $1 AND type IN (${types}) AND llm_model IS NOT NULL AND cost IS NULL
        AND (tokens_input IS NOT NULL OR tokens_output IS NOT NULL)
      GROUP BY llm_model ORDER BY count(*) DESC, llm_model LIMIT ${UNPRICED_LIMIT}`,
    workspaceId,
  );
  return rows.map((r) => ({ model: r.model, calls: Number(r.calls), lastSeenAt: new Date(r.last).toISOString() }));
}
