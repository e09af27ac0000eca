import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";
import { getSpan } from "@/lib/traces/details";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string; spanId: string }> };

export const GET = handle({ notFound: NOT_FOUND.span }, async (req: Request, ctx: Ctx) => {
  const principal = await requireReader(req);
  const { id, spanId } = await ctx.params;
  return json({ span: await getSpan(await getDb(), principal.workspaceId, id, spanId) });
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
