import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { revokeInvitation } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const DELETE = route({
  auth: "member",
  permission: "members.manage",
  notFound: NOT_FOUND.invitation,
  response: "empty",
  handler: async ({ principal, params }) => revokeInvitation(await getDb(), principal.workspaceId, params.id),
});

export const { OPTIONS, GET, HEAD, POST, PUT, PATCH } = otherMethods({ DELETE });
