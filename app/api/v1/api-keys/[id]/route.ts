import { revokeApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { requireMember } from "@/lib/http/guards";
import { handle } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Revokes a key (kept in the list, marked revoked). */
export const DELETE = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const me = await requireMember(req, "apiKeys.manage");
  await revokeApiKey(await getDb(), me.workspaceId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});
