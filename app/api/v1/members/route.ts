import { ZMemberList } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { listMembers } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "member",
  response: ZMemberList,
  handler: async ({ principal }) => ({
    members: await listMembers(await getDb(), principal.workspaceId),
    me: { userId: principal.user.id, role: principal.role },
  }),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
