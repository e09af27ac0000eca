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

/** Called when this process changes a workspace's redaction keys. */
export function forgetWorkspaceSettings(workspaceId: string): void {
  redactors.forget((id) => id === workspaceId);
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
