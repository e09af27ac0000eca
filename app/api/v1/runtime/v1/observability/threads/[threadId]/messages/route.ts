import { ZThreadMessages } from "@/lib/contracts/conversations";
import { listThreadMessages } from "@/lib/conversations/threads";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  notFound: NOT_FOUND.thread,
  response: ZThreadMessages,
  handler: async ({ principal, params }) => ({
    messages: await listThreadMessages(await getDb(), principal.workspaceId, params.threadId),
  }),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
