import { ZUpdateCard } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { deleteCard, updateCard } from "@/lib/metrics/cards";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const PATCH = handle({ notFound: NOT_FOUND.card }, async (req: Request, ctx: Ctx) => {
  const p = await requireReader(req, "metrics.edit");
  const patch = await readJson(req, ZUpdateCard);
  return json({ card: await updateCard(await getDb(), p.workspaceId, (await ctx.params).id, patch) });
});

export const DELETE = handle({ notFound: NOT_FOUND.card }, async (req: Request, ctx: Ctx) => {
  const p = await requireReader(req, "metrics.edit");
  await deleteCard(await getDb(), p.workspaceId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});

export const { OPTIONS, GET, HEAD, POST, PUT } = otherMethods({ PATCH, DELETE });
