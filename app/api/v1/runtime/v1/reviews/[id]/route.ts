import { ZReview, ZUpdateReview } from "@/lib/contracts/reviews";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { actorName } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { deleteReview, getReview, updateReview } from "@/lib/reviews/service";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  notFound: NOT_FOUND.review,
  response: ZReview,
  handler: async ({ principal, params }) => getReview(await getDb(), principal.workspaceId, params.id),
});

export const PATCH = route({
  auth: "reader",
  permission: "reviews.write",
  notFound: NOT_FOUND.review,
  body: ZUpdateReview,
  response: ZReview,
  handler: async ({ principal, params, body }) =>
    updateReview(await getDb(), principal.workspaceId, params.id, body, actorName(principal)),
});

export const DELETE = route({
  auth: "reader",
  permission: "reviews.write",
  notFound: NOT_FOUND.review,
  response: "empty",
  handler: async ({ principal, params }) => deleteReview(await getDb(), principal.workspaceId, params.id),
});

export const { OPTIONS, POST, PUT } = otherMethods({ GET, PATCH, DELETE });
