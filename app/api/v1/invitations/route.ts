import { ZInvitationCreated, ZInvitationList, ZInviteRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { publicOrigin } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { createInvitation, listInvitations } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "member",
  permission: "members.manage",
  response: ZInvitationList,
  handler: async ({ principal }) => ({ invitations: await listInvitations(await getDb(), principal.workspaceId) }),
});

/** Creates a one-time invitation link for the admin to share (no email is sent). */
export const POST = route({
  auth: "member",
  permission: "members.manage",
  body: ZInviteRequest,
  status: 201,
  response: ZInvitationCreated,
  handler: async ({ req, principal, body }) => {
    const actor = { userId: principal.user.id, role: principal.role };
    const { invitation, token } = await createInvitation(await getDb(), actor, principal.workspaceId, body);
    return { invitation, url: `${publicOrigin(req)}/invite/${token}` };
  },
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
