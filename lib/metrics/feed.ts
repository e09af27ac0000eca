import "server-only";
import type { EventFeedQuery, FeedEvent } from "../contracts/metrics.ts";
import type { Db } from "../db/index.ts";

/** The live feed card: an agent's latest events (of some names when given), newest first; none for an unknown agent. */
export async function latestEvents(db: Db, workspaceId: string, q: EventFeedQuery): Promise<FeedEvent[]> {
  const agent = await db.prisma.agent.findUnique({
    where: { workspaceId_name: { workspaceId, name: q.agent } },
    select: { id: true },
  });
  if (!agent) return [];
  const names = q.names
    ?.split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  const rows = await db.prisma.trackEvent.findMany({
    where: { workspaceId, agentId: agent.id, ...(names?.length ? { name: { in: names } } : {}) },
    orderBy: [{ timestamp: "desc" }, { id: "desc" }],
    take: q.limit,
    select: { id: true, name: true, properties: true, timestamp: true },
  });
  return rows.map((r) => ({
    ...r,
    properties: r.properties as FeedEvent["properties"],
    timestamp: r.timestamp.toISOString(),
  }));
}
