import { ZCreateReview, ZReviewListQuery } from "@/lib/contracts/reviews";
import { getDb } from "@/lib/db";
import { actorName, requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson, readQuery } from "@/lib/http/respond";
import { createReview, listReviews } from "@/lib/reviews/service";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const p = await requireReader(req);
  const query = readQuery(req, ZReviewListQuery);
  return json(await listReviews(await getDb(), p.workspaceId, query));
});

export const POST = handle(async (req: Request) => {
  const p = await requireReader(req, "reviews.write");
  const input = await readJson(req, ZCreateReview);
  return json(await createReview(await getDb(), p.workspaceId, input, actorName(p)), 201);
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
