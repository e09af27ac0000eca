import "server-only";
import type { Db } from "../../../db/index.ts";
import { logger } from "../../../log.ts";

export type OutputWorkspace = { workspaceId: string } | { refused: string };

/**
 * The workspace that receives runs read from Output's Redis and S3: OUTPUT_WORKSPACE (slug or id),
 * else the only workspace. Refused (with the reason to log) when that is ambiguous or unknown.
 */
export async function resolveOutputWorkspace(db: Db, ref: string | null): Promise<OutputWorkspace> {
  if (ref) {
    const ws = await db.prisma.workspace.findFirst({
      where: { OR: [{ id: ref }, { slug: ref }] },
      select: { id: true },
    });
    return ws ? { workspaceId: ws.id } : { refused: `OUTPUT_WORKSPACE="${ref}" matches no workspace slug or id.` };
  }
  const all = await db.prisma.workspace.findMany({
    select: { id: true, slug: true },
    take: 2,
    orderBy: { createdAt: "asc" },
  });
  if (all.length === 1) return { workspaceId: all[0].id };
  return {
    refused:
      all.length === 0
        ? "no workspace exists yet; Output runs are read once one is created."
        : "several workspaces exist: set OUTPUT_WORKSPACE to the slug or id of the one receiving Output runs.",
  };
}

/**
 * For a polling service: resolves the workspace on each call until it can be (logging each new
 * refusal once, e.g. before the first workspace exists), then builds `make` once and keeps it.
 */
export function whenWorkspaceResolved<T>(
  db: Db,
  ref: string | null,
  service: string,
  make: (workspaceId: string) => T,
): () => Promise<T | null> {
  let made: T | null = null;
  let lastRefusal = "";
  return async () => {
    if (made) return made;
    const target = await resolveOutputWorkspace(db, ref);
    if ("refused" in target) {
      if (target.refused !== lastRefusal) logger(service).warn(`waiting: ${target.refused}`);
      lastRefusal = target.refused;
      return null;
    }
    made = make(target.workspaceId);
    return made;
  };
}
