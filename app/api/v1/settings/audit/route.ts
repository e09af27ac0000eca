import { ZDeletionList } from "@/lib/contracts/data";
import { listDeletions } from "@/lib/data/deletion";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Settings › Data: the workspace's deletions, newest first (owners and admins). */
export const GET = route({
  auth: "reader",
  permission: "data.delete",
  response: ZDeletionList,
  handler: async ({ principal }) => listDeletions(await getDb(), principal.workspaceId),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
