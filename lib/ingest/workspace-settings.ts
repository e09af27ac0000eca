import "server-only";
import type { ModelPrice } from "../contracts/models.ts";
import { DEFAULT_MODEL_PRICES } from "../costs/default-prices.ts";
import { compilePriceTable, type PriceTable } from "../costs/pricing.ts";
import type { Db } from "../db/index.ts";
import { OutageCache } from "../db/outage-cache.ts";
import { processGlobal } from "../process-global.ts";
import { makeRedactor, type Redactor } from "./protect.ts";

/**
 * Redactors by workspace id. Every ingest request needs its workspace's redaction keys: cached
 * (lib/db/outage-cache.ts) so ingest keeps accepting while Postgres is unreachable; a change made
 * in another process applies within RUNLENS_SETTINGS_FRESH_MS, one made here at once.
 */
const redactors = processGlobal("__runlensRedactors", () => new OutageCache<string, Redactor>(10_000));

/** The redactor of a workspace's redaction keys (Settings › Redaction). */
export function redactorFor(db: Db, workspaceId: string): Promise<Redactor> {
  return redactors.read(workspaceId, async () => makeRedactor(await readRedactionKeys(db, workspaceId)));
}

/** Price tables by workspace id (Settings › Models), cached like the redactors. */
const priceTables = processGlobal("__runlensPriceTables", () => new OutageCache<string, PriceTable>(10_000));

/** The compiled price table of a workspace: its own, or the built-in one until it edits it. */
export function priceTableFor(db: Db, workspaceId: string): Promise<PriceTable> {
  return priceTables.read(workspaceId, async () => compilePriceTable(await readModelPrices(db, workspaceId)));
}

/** What protection needs of a workspace, as data: its redaction keys and model prices. */
export type ProtectionSettings = { redactionKeys: string[]; prices: ModelPrice[] };

/**
 * The redaction keys and model prices of a workspace as plain data, for work done outside this
 * thread (an Output trace file's worker, lib/ingest/sources/output/receive.ts), cached like the
 * redactors.
 */
const settingsData = processGlobal(
  "__runlensProtectionSettings",
  () => new OutageCache<string, ProtectionSettings>(10_000),
);

export function protectionSettingsFor(db: Db, workspaceId: string): Promise<ProtectionSettings> {
  return settingsData.read(workspaceId, async () => {
    const [redactionKeys, prices] = await Promise.all([
      readRedactionKeys(db, workspaceId),
      readModelPrices(db, workspaceId),
    ]);
    return { redactionKeys, prices };
  });
}

/** Called when this process changes a workspace's redaction keys or model prices. */
export function forgetWorkspaceSettings(workspaceId: string): void {
  redactors.forget((id) => id === workspaceId);
  priceTables.forget((id) => id === workspaceId);
  settingsData.forget((id) => id === workspaceId);
}

/** A workspace's model prices: its edited table, or null while it uses the built-in one. */
export async function readCustomModelPrices(db: Db, workspaceId: string): Promise<ModelPrice[] | null> {
  if (db.pool) {
    const { rows } = await db.pool.query<{ prices: ModelPrice[] | null }>(
      "SELECT prices FROM model_prices WHERE workspace_id = $1",
      [workspaceId],
    );
    return rows[0]?.prices ?? null;
  }
  const row = await db.prisma.modelPriceTable.findUnique({ where: { workspaceId }, select: { prices: true } });
  return (row?.prices as ModelPrice[] | null | undefined) ?? null;
}

async function readModelPrices(db: Db, workspaceId: string): Promise<ModelPrice[]> {
  return (await readCustomModelPrices(db, workspaceId)) ?? DEFAULT_MODEL_PRICES;
}

async function readRedactionKeys(db: Db, workspaceId: string): Promise<string[]> {
  // On Postgres a plain query, which costs a fraction of a Prisma query's CPU.
  if (db.pool) {
    const { rows } = await db.pool.query<{ redaction_keys: string[] | null }>(
      "SELECT redaction_keys FROM workspaces WHERE id = $1",
      [workspaceId],
    );
    if (rows.length === 0) throw new Error(`Workspace ${workspaceId} not found.`);
    return rows[0].redaction_keys ?? [];
  }
  const ws = await db.prisma.workspace.findUniqueOrThrow({
    where: { id: workspaceId },
    select: { redactionKeys: true },
  });
  return ws.redactionKeys;
}
