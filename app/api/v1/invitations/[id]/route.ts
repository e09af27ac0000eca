import { getDb } from "@/lib/db";
import { requireMember } from "@/lib/http/guards";
import { handle } from "@/lib/http/respond";
import { revokeInvitation } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const DELETE = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const me = await requireMember(req, "members.manage");
  await revokeInvitation(await getDb(), me.workspaceId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});
