import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { handle, json } from "@/lib/http/respond";
import { getSpan } from "@/lib/traces/details";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request, ctx: { params: Promise<{ id: string; spanId: string }> }) => {
  const principal = await requireReader(req);
  const { id, spanId } = await ctx.params;
  return json({ span: await getSpan(await getDb(), principal.workspaceId, id, spanId) });
});
