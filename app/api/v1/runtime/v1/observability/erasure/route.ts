import { ZDeletionCounts, ZErasureRequest } from "@/lib/contracts/data";
import { eraseData } from "@/lib/data/deletion";
import { getDb } from "@/lib/db";
import { actorName } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** An erasure request: everything matching a user's identifiers is deleted, and the deletion recorded. */
export const POST = route({
  auth: "reader",
  permission: "data.delete",
  body: ZErasureRequest,
  response: ZDeletionCounts,
  handler: async ({ principal, body }) => eraseData(await getDb(), principal.workspaceId, body, actorName(principal)),
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
