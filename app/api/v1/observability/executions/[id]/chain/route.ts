import { ZOutputChain } from "@/lib/contracts/output";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { getOutputChain } from "@/lib/traces/chain";

export const dynamic = "force-dynamic";

/** The continue-as-new chain of an Output execution (runs sharing its workflowId), oldest first. */
export const GET = route({
  auth: "reader",
  notFound: NOT_FOUND.execution,
  response: ZOutputChain,
  handler: async ({ principal, params }) => getOutputChain(await getDb(), principal.workspaceId, params.id),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
