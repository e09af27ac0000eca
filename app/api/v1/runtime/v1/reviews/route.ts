import { ZCreateReview, ZReviewListQuery } from "@/lib/contracts/reviews";
import { getDb } from "@/lib/db";
import { actorName, requireReader } from "@/lib/http/guards";
import { handle, json, readJson } from "@/lib/http/respond";
import { createReview, listReviews } from "@/lib/reviews/service";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const p = await requireReader(req);
  const query = ZReviewListQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  return json(await listReviews(await getDb(), p.workspaceId, query));
});

export const POST = handle(async (req: Request) => {
  const p = await requireReader(req, "reviews.write");
  const input = await readJson(req, ZCreateReview);
  return json(await createReview(await getDb(), p.workspaceId, input, actorName(p)), 201);
});
