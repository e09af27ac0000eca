import { ZMetricQuery } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { handle, json, readJson } from "@/lib/http/respond";
import { runMetricQuery } from "@/lib/metrics/query";

export const dynamic = "force-dynamic";

export const POST = handle(async (req: Request) => {
  const p = await requireReader(req);
  const query = await readJson(req, ZMetricQuery);
  return json(await runMetricQuery(await getDb(), p.workspaceId, query));
});
