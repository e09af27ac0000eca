import { ZCardList, ZLayoutRequest } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { saveLayout } from "@/lib/metrics/cards";

export const dynamic = "force-dynamic";

export const PUT = route({
  auth: "reader",
  permission: "metrics.edit",
  body: ZLayoutRequest,
  response: ZCardList,
  handler: async ({ principal, body }) => ({ cards: await saveLayout(await getDb(), principal.workspaceId, body) }),
});

export const { OPTIONS, GET, HEAD, POST, PATCH, DELETE } = otherMethods({ PUT });
