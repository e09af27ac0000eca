import { z } from "zod";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readQuery } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

const ZFeedQuery = z.object({
  agent: z.string().min(1).max(256),
  names: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** The latest events of an agent (optionally of some names), newest first: the live feed card. */
export const GET = handle(async (req: Request) => {
  const p = await requireReader(req);
  const q = readQuery(req, ZFeedQuery);
  const db = await getDb();
  const agent = await db.prisma.agent.findUnique({
    where: { workspaceId_name: { workspaceId: p.workspaceId, name: q.agent } },
    select: { id: true },
  });
  if (!agent) return json({ events: [] });
  const names = q.names
    ?.split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  const rows = await db.prisma.trackEvent.findMany({
    where: { workspaceId: p.workspaceId, agentId: agent.id, ...(names?.length ? { name: { in: names } } : {}) },
    orderBy: [{ timestamp: "desc" }, { id: "desc" }],
    take: q.limit,
    select: { id: true, name: true, properties: true, timestamp: true },
  });
  return json({ events: rows.map((r) => ({ ...r, timestamp: r.timestamp.toISOString() })) });
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
