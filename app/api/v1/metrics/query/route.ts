import { METRIC_SOURCE_HEADER, ZMetricQuery, ZMetricResult } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { reply, route } from "@/lib/http/route";
import { executeMetricQuery } from "@/lib/metrics/query";

export const dynamic = "force-dynamic";

export const POST = route({
  auth: "reader",
  body: ZMetricQuery,
  response: ZMetricResult,
  handler: async ({ principal, body }) => {
    const { result, plan } = await executeMetricQuery(await getDb(), principal.workspaceId, body);
    // Which path answered (rollup: hourly rollups plus raw edges; raw: events only), for debugging.
    return reply(result, { headers: { [METRIC_SOURCE_HEADER]: plan.source } });
  },
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
