import { PORTAL_SPAN_CAP, ZPortalExecution } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { getExecutionForPortal } from "@/lib/traces/details";

export const dynamic = "force-dynamic";

/** The whole execution for the portal, capped at 10,000 spans (`truncated` when more exist). */
export const GET = route({
  auth: "reader",
  notFound: NOT_FOUND.execution,
  response: ZPortalExecution,
  handler: async ({ principal, params }) =>
    getExecutionForPortal(await getDb(), principal.workspaceId, params.id, PORTAL_SPAN_CAP),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
