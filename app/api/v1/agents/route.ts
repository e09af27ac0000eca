import { ZAgentList } from "@/lib/contracts/executions";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { listAgents } from "@/lib/traces/read";

export const dynamic = "force-dynamic";

/** Agents of the workspace (for pickers), by name. */
export const GET = route({
  auth: "reader",
  response: ZAgentList,
  handler: async ({ principal }) => ({ agents: await listAgents(await getDb(), principal.workspaceId) }),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
