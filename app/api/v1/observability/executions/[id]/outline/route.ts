import { ZExecutionOutline, ZOutlineQuery } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { getExecutionOutline } from "@/lib/traces/details";

export const dynamic = "force-dynamic";

/** The explorer's trace tree: narrow spans, depth-first, paged (10,000 default, 20,000 max). */
export const GET = route({
  auth: "reader",
  notFound: NOT_FOUND.execution,
  query: ZOutlineQuery,
  response: ZExecutionOutline,
  handler: async ({ principal, params, query }) =>
    getExecutionOutline(await getDb(), principal.workspaceId, params.id, query),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
