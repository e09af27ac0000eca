import { listThreadMessages } from "@/lib/conversations/threads";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ threadId: string }> };

export const GET = handle({ notFound: NOT_FOUND.thread }, async (req: Request, ctx: Ctx) => {
  const principal = await requireReader(req);
  const { threadId } = await ctx.params;
  return json({ messages: await listThreadMessages(await getDb(), principal.workspaceId, threadId) });
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
