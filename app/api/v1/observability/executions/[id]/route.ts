import { PORTAL_SPAN_CAP } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { handle, json } from "@/lib/http/respond";
import { getExecutionForPortal } from "@/lib/traces/details";

export const dynamic = "force-dynamic";

/** The whole execution for the portal, capped at 10,000 spans (`truncated` when more exist). */
export const GET = handle(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const principal = await requireReader(req);
  return json(
    await getExecutionForPortal(await getDb(), principal.workspaceId, (await ctx.params).id, PORTAL_SPAN_CAP),
  );
});
