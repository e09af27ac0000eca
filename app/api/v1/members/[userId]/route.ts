import { ZUpdateMemberRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { removeMember, updateMemberRole } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ userId: string }> };

export const PATCH = handle({ notFound: NOT_FOUND.member }, async (req: Request, ctx: Ctx) => {
  const me = await requireMember(req, "members.manage");
  const { role } = await readJson(req, ZUpdateMemberRequest);
  const { userId } = await ctx.params;
  await updateMemberRole(await getDb(), { userId: me.user.id, role: me.role }, me.workspaceId, userId, role);
  return json({ userId, role });
});

export const DELETE = handle({ notFound: NOT_FOUND.member }, async (req: Request, ctx: Ctx) => {
  const me = await requireMember(req, "members.manage");
  await removeMember(await getDb(), { userId: me.user.id, role: me.role }, me.workspaceId, (await ctx.params).userId);
  return new Response(null, { status: 204 });
});

export const { OPTIONS, GET, HEAD, POST, PUT } = otherMethods({ PATCH, DELETE });
