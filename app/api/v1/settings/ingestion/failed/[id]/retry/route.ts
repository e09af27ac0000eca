import { NOT_FOUND } from "@/lib/errors";
import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle } from "@/lib/http/respond";
import { retryFailedBatch } from "@/lib/ingest/failures";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const POST = handle({ notFound: NOT_FOUND.batch }, async (req: Request, ctx: Ctx) => {
  const me = await requireMember(req, "ingest.operate");
  await retryFailedBatch(me.workspaceId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
