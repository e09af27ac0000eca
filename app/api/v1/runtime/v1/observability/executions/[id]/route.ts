import { deleteExecution } from "@/lib/data/deletion";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { actorName } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Deletes an execution with its spans, review and events (an API key, or an owner or admin); recorded. */
export const DELETE = route({
  auth: "reader",
  permission: "data.delete",
  notFound: NOT_FOUND.execution,
  response: "empty",
  handler: async ({ principal, params }) =>
    deleteExecution(await getDb(), principal.workspaceId, params.id, actorName(principal)),
});

export const { OPTIONS, GET, HEAD, POST, PUT, PATCH } = otherMethods({ DELETE });
