import { ZCreateReview, ZReviewCreated, ZReviewList, ZReviewListQuery } from "@/lib/contracts/reviews";
import { getDb } from "@/lib/db";
import { actorName } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { createReview, listReviews } from "@/lib/reviews/service";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  query: ZReviewListQuery,
  response: ZReviewList,
  handler: async ({ principal, query }) => listReviews(await getDb(), principal.workspaceId, query),
});

export const POST = route({
  auth: "reader",
  permission: "reviews.write",
  body: ZCreateReview,
  status: 201,
  response: ZReviewCreated,
  handler: async ({ principal, body }) =>
    createReview(await getDb(), principal.workspaceId, body, actorName(principal)),
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
