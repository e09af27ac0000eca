import { ZSpanOne } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { getSpan } from "@/lib/traces/details";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  notFound: NOT_FOUND.span,
  response: ZSpanOne,
  handler: async ({ principal, params }) => ({
    span: await getSpan(await getDb(), principal.workspaceId, params.id, params.spanId),
  }),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
