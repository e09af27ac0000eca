import { ZUpdateReview } from "@/lib/contracts/reviews";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { actorName, requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { deleteReview, getReview, updateReview } from "@/lib/reviews/service";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = handle({ notFound: NOT_FOUND.review }, async (req: Request, ctx: Ctx) => {
  const p = await requireReader(req);
  return json(await getReview(await getDb(), p.workspaceId, (await ctx.params).id));
});

export const PATCH = handle({ notFound: NOT_FOUND.review }, async (req: Request, ctx: Ctx) => {
  const p = await requireReader(req, "reviews.write");
  const patch = await readJson(req, ZUpdateReview);
  return json(await updateReview(await getDb(), p.workspaceId, (await ctx.params).id, patch, actorName(p)));
});

export const DELETE = handle({ notFound: NOT_FOUND.review }, async (req: Request, ctx: Ctx) => {
  const p = await requireReader(req, "reviews.write");
  await deleteReview(await getDb(), p.workspaceId, (await ctx.params).id);
  return new Response(null, { status: 204 });
});

export const { OPTIONS, POST, PUT } = otherMethods({ GET, PATCH, DELETE });
