import { ZModelPricesResponse } from "@/lib/contracts/models";
import { requestRecompute } from "@/lib/costs/service";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Queues a recompute of every stored model call's cost with the current table (the worker runs it). */
export const POST = route({
  auth: "reader",
  permission: "workspace.manage",
  status: 202,
  response: ZModelPricesResponse,
  handler: async ({ principal }) => requestRecompute(await getDb(), principal.workspaceId),
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
