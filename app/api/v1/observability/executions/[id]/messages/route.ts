import { listExecutionMessages } from "@/lib/conversations/threads";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";
import { getExecution } from "@/lib/traces/read";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = handle({ notFound: NOT_FOUND.execution }, async (req: Request, ctx: Ctx) => {
  const principal = await requireReader(req);
  const { id } = await ctx.params;
  const db = await getDb();
  if (!(await getExecution(db, principal.workspaceId, id))) throw NOT_FOUND.execution();
  return json({ messages: await listExecutionMessages(db, principal.workspaceId, id) });
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
