import { revokeApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Revokes a key (kept in the list, marked revoked). */
export const DELETE = route({
  auth: "member",
  permission: "apiKeys.manage",
  notFound: NOT_FOUND.apiKey,
  response: "empty",
  handler: async ({ principal, params }) => revokeApiKey(await getDb(), principal.workspaceId, params.id),
});

export const { OPTIONS, GET, HEAD, POST, PUT, PATCH } = otherMethods({ DELETE });
