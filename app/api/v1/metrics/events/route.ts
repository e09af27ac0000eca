import { ZEventFeed, ZEventFeedQuery } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { latestEvents } from "@/lib/metrics/feed";

export const dynamic = "force-dynamic";

/** The latest events of an agent (optionally of some names), newest first: the live feed card. */
export const GET = route({
  auth: "reader",
  query: ZEventFeedQuery,
  response: ZEventFeed,
  handler: async ({ principal, query }) => ({
    events: await latestEvents(await getDb(), principal.workspaceId, query),
  }),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
