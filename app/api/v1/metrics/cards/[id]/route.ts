import { ZCardOne, ZUpdateCard } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { deleteCard, updateCard } from "@/lib/metrics/cards";

export const dynamic = "force-dynamic";

export const PATCH = route({
  auth: "reader",
  permission: "metrics.edit",
  notFound: NOT_FOUND.card,
  body: ZUpdateCard,
  response: ZCardOne,
  handler: async ({ principal, params, body }) => ({
    card: await updateCard(await getDb(), principal.workspaceId, params.id, body),
  }),
});

export const DELETE = route({
  auth: "reader",
  permission: "metrics.edit",
  notFound: NOT_FOUND.card,
  response: "empty",
  handler: async ({ principal, params }) => deleteCard(await getDb(), principal.workspaceId, params.id),
});

export const { OPTIONS, GET, HEAD, POST, PUT } = otherMethods({ PATCH, DELETE });
