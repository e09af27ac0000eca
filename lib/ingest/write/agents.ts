import "server-only";
import { randomUUID } from "node:crypto";
import type { SqlTx } from "../../db/transaction.ts";
import { processGlobal } from "../../process-global.ts";

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
