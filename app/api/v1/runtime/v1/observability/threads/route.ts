import { ZThreadList, ZThreadListQuery } from "@/lib/contracts/conversations";
import { listThreads } from "@/lib/conversations/threads";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  query: ZThreadListQuery,
  response: ZThreadList,
  handler: async ({ principal, query }) => listThreads(await getDb(), principal.workspaceId, query),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
