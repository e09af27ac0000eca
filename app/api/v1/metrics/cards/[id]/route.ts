import { ZUpdateCard } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { handle, json, readJson } from "@/lib/http/respond";
import { deleteCard, updateCard } from "@/lib/metrics/cards";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const PATCH = handle(async (req: Request, ctx: Ctx) => {
  const p = await requireReader(req, "metrics.edit");
  const patch = await readJson(req, ZUpdateCard);
  return json({ card: await updateCard(await getDb(), p.workspaceId, (await ctx.params).id, patch) });
});

export const DELETE = handle(async (req: Request, ctx: Ctx) => {
  const p = await requireReader(req, "metrics.edit");
  await deleteCard(await getDb(), p.workspaceId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});
