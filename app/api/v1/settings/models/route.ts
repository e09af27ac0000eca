import { ZModelPricesRequest, ZModelPricesResponse } from "@/lib/contracts/models";
import { getModelPrices, putModelPrices } from "@/lib/costs/service";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Settings › Models: the workspace's model price table (built-in until edited). */
export const GET = route({
  auth: "reader",
  response: ZModelPricesResponse,
  handler: async ({ principal }) => getModelPrices(await getDb(), principal.workspaceId),
});

/** Replaces the table (`prices: null` goes back to the built-in one); owners and admins. */
export const PUT = route({
  auth: "reader",
  permission: "workspace.manage",
  body: ZModelPricesRequest,
  response: ZModelPricesResponse,
  handler: async ({ principal, body }) => putModelPrices(await getDb(), principal.workspaceId, body.prices),
});

export const { OPTIONS, POST, PATCH, DELETE } = otherMethods({ GET, PUT });
