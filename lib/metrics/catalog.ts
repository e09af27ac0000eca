import "server-only";
import type { CatalogEvent, CatalogProperty } from "../contracts/metrics.ts";
import type { Db } from "../db/index.ts";

/** Event names of an agent with counts and property types, as ingest keeps them (no event scan). */
export async function getCatalog(db: Db, workspaceId: string, agentName: string | null): Promise<CatalogEvent[]> {
  const agent = agentName
    ? await db.prisma.agent.findUnique({
        where: { workspaceId_name: { workspaceId, name: agentName } },
        select: { id: true },
      })
    : null;
  if (agentName && !agent) return [];
  const where = { workspaceId, ...(agent ? { agentId: agent.id } : {}) };
  const [events, props] = await Promise.all([
    db.prisma.eventCatalog.findMany({ where, orderBy: [{ count: "desc" }, { name: "asc" }] }),
    db.prisma.eventProperty.findMany({ where, orderBy: { key: "asc" } }),
  ]);
  // Without an agent filter, the same event name of several agents is merged.
  const byName = new Map<string, CatalogEvent>();
  for (const e of events) {
    const c = byName.get(e.name);
    if (c) {
      c.count += Number(e.count);
      if (e.lastSeenAt.toISOString() > c.lastSeenAt) c.lastSeenAt = e.lastSeenAt.toISOString();
    } else
      byName.set(e.name, {
        name: e.name,
        count: Number(e.count),
        lastSeenAt: e.lastSeenAt.toISOString(),
        properties: [],
      });
  }
  const types = new Map<string, Set<string>>();
  for (const p of props) {
    const k = `${p.eventName}\u0000${p.key}`;
    const set = types.get(k) ?? new Set<string>();
    for (const t of p.types) set.add(t);
    types.set(k, set);
  }
  for (const [k, set] of types) {
    const [name, key] = k.split("\u0000");
    const event = byName.get(name);
    if (!event) continue;
    event.properties.push({ key, type: set.size === 1 ? ([...set][0] as CatalogProperty["type"]) : "mixed" });
  }
  return [...byName.values()];
}
