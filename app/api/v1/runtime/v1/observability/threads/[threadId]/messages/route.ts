import { listThreadMessages } from "@/lib/conversations/threads";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { handle, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request, ctx: { params: Promise<{ threadId: string }> }) => {
  const principal = await requireReader(req);
  const { threadId } = await ctx.params;
  return json({ messages: await listThreadMessages(await getDb(), principal.workspaceId, threadId) });
});
