import { ZReviewCheck, ZReviewCheckQuery } from "@/lib/contracts/reviews";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { checkReview } from "@/lib/reviews/service";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  query: ZReviewCheckQuery,
  response: ZReviewCheck,
  handler: async ({ principal, query }) => checkReview(await getDb(), principal.workspaceId, query.executionId),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
