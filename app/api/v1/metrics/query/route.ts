import { ZMetricQuery } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { executeMetricQuery } from "@/lib/metrics/query";

export const dynamic = "force-dynamic";

export const POST = handle(async (req: Request) => {
  const p = await requireReader(req);
  const query = await readJson(req, ZMetricQuery);
  const { result, plan } = await executeMetricQuery(await getDb(), p.workspaceId, query);
  // Which path answered (rollup: hourly rollups plus raw edges; raw: events only), for debugging.
  return json(result, { headers: { "x-runlens-metric-source": plan.source } });
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
