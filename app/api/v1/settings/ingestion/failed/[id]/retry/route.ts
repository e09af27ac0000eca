import { requireMember } from "@/lib/http/guards";
import { handle } from "@/lib/http/respond";
import { retryFailedBatch } from "@/lib/ingest/failures";

export const dynamic = "force-dynamic";

export const POST = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const me = await requireMember(req, "ingest.operate");
  await retryFailedBatch(me.workspaceId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});
