import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Agents of the workspace (for pickers), by name. */
export const GET = handle(async (req: Request) => {
  const principal = await requireReader(req);
  const agents = await (await getDb()).prisma.agent.findMany({
    where: { workspaceId: principal.workspaceId },
    orderBy: { name: "asc" },
    select: { id: true, name: true, kind: true, lastSeenAt: true },
  });
  return json({ agents });
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
