import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { handle, json } from "@/lib/http/respond";
import { getOutputChain } from "@/lib/traces/chain";

export const dynamic = "force-dynamic";

/** The continue-as-new chain of an Output execution (runs sharing its workflowId), oldest first. */
export const GET = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await requireReader(req);
  return json(await getOutputChain(await getDb(), principal.workspaceId, (await ctx.params).id));
});
