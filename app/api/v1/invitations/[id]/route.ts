import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle } from "@/lib/http/respond";
import { revokeInvitation } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const DELETE = handle({ notFound: NOT_FOUND.invitation }, async (req: Request, ctx: Ctx) => {
  const me = await requireMember(req, "members.manage");
  await revokeInvitation(await getDb(), me.workspaceId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});

export const { OPTIONS, GET, HEAD, POST, PUT, PATCH } = otherMethods({ DELETE });
