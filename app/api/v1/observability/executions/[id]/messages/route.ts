import { listExecutionMessages } from "@/lib/conversations/threads";
import { getDb } from "@/lib/db";
import { NotFoundError } from "@/lib/http/errors";
import { requireReader } from "@/lib/http/guards";
import { handle, json } from "@/lib/http/respond";
import { getExecution } from "@/lib/traces/read";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await requireReader(req);
  const { id } = await ctx.params;
  const db = await getDb();
  if (!(await getExecution(db, principal.workspaceId, id)))
    throw new NotFoundError("execution_not_found", "No execution with this id.");
  return json({ messages: await listExecutionMessages(db, principal.workspaceId, id) });
});
