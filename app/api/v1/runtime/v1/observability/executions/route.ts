import { ZExecutionListQuery } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { handle, json } from "@/lib/http/respond";
import { listExecutions } from "@/lib/traces/executions";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const principal = await requireReader(req);
  const query = ZExecutionListQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  return json(await listExecutions(await getDb(), principal.workspaceId, query));
});
