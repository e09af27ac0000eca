import { ZCardList, ZCardListQuery, ZCardOne, ZCreateCard } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { createCard, listCards } from "@/lib/metrics/cards";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  query: ZCardListQuery,
  response: ZCardList,
  handler: async ({ principal, query }) => ({
    cards: await listCards(await getDb(), principal.workspaceId, query.agent),
  }),
});

export const POST = route({
  auth: "reader",
  permission: "metrics.edit",
  body: ZCreateCard,
  status: 201,
  response: ZCardOne,
  handler: async ({ principal, body }) => ({ card: await createCard(await getDb(), principal.workspaceId, body) }),
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
