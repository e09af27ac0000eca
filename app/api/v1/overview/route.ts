import { ZOverview, ZOverviewQuery } from "@/lib/contracts/overview";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { getOverview } from "@/lib/overview/overview";

export const dynamic = "force-dynamic";

/** The portal's overview of a range: totals, percentiles, series, top errors, slowest and costliest runs. */
export const GET = route({
  auth: "reader",
  query: ZOverviewQuery,
  response: ZOverview,
  handler: async ({ principal, query }) => getOverview(await getDb(), principal.workspaceId, query),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
