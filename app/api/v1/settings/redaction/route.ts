import { ZRedactionKeys, ZRedactionRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { getRedactionKeys, setRedactionKeys } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "member",
  response: ZRedactionKeys,
  handler: async ({ principal }) => ({ keys: await getRedactionKeys(await getDb(), principal.workspaceId) }),
});

export const PUT = route({
  auth: "member",
  permission: "workspace.manage",
  body: ZRedactionRequest,
  response: ZRedactionKeys,
  handler: async ({ principal, body }) => ({
    keys: await setRedactionKeys(await getDb(), principal.workspaceId, body.keys),
  }),
});

export const { OPTIONS, POST, PATCH, DELETE } = otherMethods({ GET, PUT });
