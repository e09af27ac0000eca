import { createApiKey, listApiKeys } from "@/lib/auth/api-keys";
import { ZApiKeyCreated, ZApiKeyList, ZCreateApiKeyRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "member",
  permission: "apiKeys.manage",
  response: ZApiKeyList,
  handler: async ({ principal }) => ({ apiKeys: await listApiKeys(await getDb(), principal.workspaceId) }),
});

/** Creates a key; the secret is in this response only. */
export const POST = route({
  auth: "member",
  permission: "apiKeys.manage",
  body: ZCreateApiKeyRequest,
  status: 201,
  response: ZApiKeyCreated,
  handler: async ({ principal, body }) => {
    const { key, secret } = await createApiKey((await getDb()).prisma, {
      workspaceId: principal.workspaceId,
      label: body.label,
      createdById: principal.user.id,
    });
    return { apiKey: key, secret };
  },
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
