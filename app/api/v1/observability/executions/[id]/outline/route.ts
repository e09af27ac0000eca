import { ZOutlineQuery } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readQuery } from "@/lib/http/respond";
import { getExecutionOutline } from "@/lib/traces/details";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** The explorer's trace tree: narrow spans, depth-first, paged (10,000 default, 20,000 max). */
export const GET = handle({ notFound: NOT_FOUND.execution }, async (req: Request, ctx: Ctx) => {
  const principal = await requireReader(req);
  const page = readQuery(req, ZOutlineQuery);
  return json(await getExecutionOutline(await getDb(), principal.workspaceId, (await ctx.params).id, page));
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
