import { revokeApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle } from "@/lib/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** Revokes a key (kept in the list, marked revoked). */
export const DELETE = handle({ notFound: NOT_FOUND.apiKey }, async (req: Request, ctx: Ctx) => {
  const me = await requireMember(req, "apiKeys.manage");
  await revokeApiKey(await getDb(), me.workspaceId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});

export const { OPTIONS, GET, HEAD, POST, PUT, PATCH } = otherMethods({ DELETE });
