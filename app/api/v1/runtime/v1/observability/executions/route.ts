import { ZExecutionList, ZExecutionListQuery } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { listExecutions } from "@/lib/traces/executions";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  query: ZExecutionListQuery,
  response: ZExecutionList,
  handler: async ({ principal, query }) => listExecutions(await getDb(), principal.workspaceId, query),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
