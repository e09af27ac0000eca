import { z } from "zod";
import { ZCreateCard } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson, readQuery } from "@/lib/http/respond";
import { createCard, listCards } from "@/lib/metrics/cards";

export const dynamic = "force-dynamic";

const ZAgentQuery = z.object({ agent: z.string().min(1).max(256) });

export const GET = handle(async (req: Request) => {
  const p = await requireReader(req);
  const { agent } = readQuery(req, ZAgentQuery);
  return json({ cards: await listCards(await getDb(), p.workspaceId, agent) });
});

export const POST = handle(async (req: Request) => {
  const p = await requireReader(req, "metrics.edit");
  const input = await readJson(req, ZCreateCard);
  return json({ card: await createCard(await getDb(), p.workspaceId, input) }, 201);
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
