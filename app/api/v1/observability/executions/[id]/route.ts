import { PORTAL_SPAN_CAP } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json } from "@/lib/http/respond";
import { getExecutionForPortal } from "@/lib/traces/details";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** The whole execution for the portal, capped at 10,000 spans (`truncated` when more exist). */
export const GET = handle({ notFound: NOT_FOUND.execution }, async (req: Request, ctx: Ctx) => {
  const principal = await requireReader(req);
  return json(
    await getExecutionForPortal(await getDb(), principal.workspaceId, (await ctx.params).id, PORTAL_SPAN_CAP),
  );
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
