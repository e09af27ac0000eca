import { ZDetailsQuery, ZExecutionDetails } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { getExecutionDetails } from "@/lib/traces/details";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  notFound: NOT_FOUND.execution,
  query: ZDetailsQuery,
  response: ZExecutionDetails,
  handler: async ({ principal, params, query }) =>
    getExecutionDetails(await getDb(), principal.workspaceId, params.id, query),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
