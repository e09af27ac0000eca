import { ZReviewStats, ZReviewStatsQuery } from "@/lib/contracts/reviews";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { reviewStats } from "@/lib/reviews/service";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  query: ZReviewStatsQuery,
  response: ZReviewStats,
  handler: async ({ principal, query }) => reviewStats(await getDb(), principal.workspaceId, query.agentId),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
