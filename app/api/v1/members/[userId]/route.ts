import { ZMemberRole, ZUpdateMemberRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { removeMember, updateMemberRole } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const PATCH = route({
  auth: "member",
  permission: "members.manage",
  notFound: NOT_FOUND.member,
  body: ZUpdateMemberRequest,
  response: ZMemberRole,
  handler: async ({ principal, params, body }) => {
    const actor = { userId: principal.user.id, role: principal.role };
    await updateMemberRole(await getDb(), actor, principal.workspaceId, params.userId, body.role);
    return { userId: params.userId, role: body.role };
  },
});

export const DELETE = route({
  auth: "member",
  permission: "members.manage",
  notFound: NOT_FOUND.member,
  response: "empty",
  handler: async ({ principal, params }) =>
    removeMember(
      await getDb(),
      { userId: principal.user.id, role: principal.role },
      principal.workspaceId,
      params.userId,
    ),
});

export const { OPTIONS, GET, HEAD, POST, PUT } = otherMethods({ PATCH, DELETE });
