import { createApiKey, listApiKeys } from "@/lib/auth/api-keys";
import { ZCreateApiKeyRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const me = await requireMember(req, "apiKeys.manage");
  return json({ apiKeys: await listApiKeys(await getDb(), me.workspaceId) });
});

/** Creates a key; the secret is in this response only. */
export const POST = handle(async (req: Request) => {
  const me = await requireMember(req, "apiKeys.manage");
  const { label } = await readJson(req, ZCreateApiKeyRequest);
  const db = await getDb();
  const { key, secret } = await createApiKey(db.prisma, {
    workspaceId: me.workspaceId,
    label,
    createdById: me.user.id,
  });
  return json({ apiKey: key, secret }, 201);
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
