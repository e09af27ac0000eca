import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";
import { getOutputChain } from "@/lib/traces/chain";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** The continue-as-new chain of an Output execution (runs sharing its workflowId), oldest first. */
export const GET = handle({ notFound: NOT_FOUND.execution }, async (req: Request, ctx: Ctx) => {
  const principal = await requireReader(req);
  return json(await getOutputChain(await getDb(), principal.workspaceId, (await ctx.params).id));
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
