import { ZDetailsQuery } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readQuery } from "@/lib/http/respond";
import { getExecutionDetails } from "@/lib/traces/details";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = handle({ notFound: NOT_FOUND.execution }, async (req: Request, ctx: Ctx) => {
  const principal = await requireReader(req);
  const page = readQuery(req, ZDetailsQuery);
  const { id } = await ctx.params;
  return json(await getExecutionDetails(await getDb(), principal.workspaceId, id, page));
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
