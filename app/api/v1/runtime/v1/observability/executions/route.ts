import { ZExecutionListQuery } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readQuery } from "@/lib/http/respond";
import { listExecutions } from "@/lib/traces/executions";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const principal = await requireReader(req);
  const query = readQuery(req, ZExecutionListQuery);
  return json(await listExecutions(await getDb(), principal.workspaceId, query));
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
