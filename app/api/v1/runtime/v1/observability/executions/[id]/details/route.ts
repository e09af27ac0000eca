import { ZDetailsQuery } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { handle, json } from "@/lib/http/respond";
import { getExecutionDetails } from "@/lib/traces/details";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await requireReader(req);
  const page = ZDetailsQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  const { id } = await ctx.params;
  return json(await getExecutionDetails(await getDb(), principal.workspaceId, id, page));
});
