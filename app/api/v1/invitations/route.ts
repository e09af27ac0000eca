import { ZInviteRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { publicOrigin, requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { createInvitation, listInvitations } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const me = await requireMember(req, "members.manage");
  return json({ invitations: await listInvitations(await getDb(), me.workspaceId) });
});

/** Creates a one-time invitation link for the admin to share (no email is sent). */
export const POST = handle(async (req: Request) => {
  const me = await requireMember(req, "members.manage");
  const input = await readJson(req, ZInviteRequest);
  const { invitation, token } = await createInvitation(
    await getDb(),
    { userId: me.user.id, role: me.role },
    me.workspaceId,
    input,
  );
  const url = `${publicOrigin(req)}/invite/${token}`;
  return json({ invitation, url }, 201);
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
