import { ZOutlineQuery } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { handle, json } from "@/lib/http/respond";
import { getExecutionOutline } from "@/lib/traces/details";

export const dynamic = "force-dynamic";

/** The explorer's trace tree: narrow spans, depth-first, paged (10,000 default, 20,000 max). */
export const GET = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await requireReader(req);
  const page = ZOutlineQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  return json(await getExecutionOutline(await getDb(), principal.workspaceId, (await ctx.params).id, page));
});
