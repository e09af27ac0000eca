import "server-only";
import type { z } from "zod";
import { type Card, cardGap, type ZCreateCard, type ZLayoutRequest, type ZUpdateCard } from "../contracts/metrics.ts";
import type { Db } from "../db/index.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { newCardPlace } from "./layout.ts";

type Row = {
  id: string;
  title: string;
  type: Card["type"];
  query: unknown;
  color: string | null;
  x: number;
  y: number;
  w: number;
  h: number;
  agent: { name: string };
};

function toCard(r: Row): Card {
  return {
    id: r.id,
    agent: r.agent.name,
    title: r.title,
    type: r.type,
    query: r.query as Card["query"],
    color: r.color,
    layout: { x: r.x, y: r.y, w: r.w, h: r.h },
  };
}
const include = { agent: { select: { name: true } } } as const;

/** The agent's id; a missing agent is null, or "not found" when `required`. */
async function agentId(db: Db, workspaceId: string, name: string, required: boolean): Promise<string | null> {
  const found = await db.prisma.agent.findUnique({
    where: { workspaceId_name: { workspaceId, name } },
    select: { id: true },
  });
  if (found || !required) return found?.id ?? null;
  throw new NotFoundError("agent_not_found", `No agent named "${name}": it appears once it sends a trace or event.`);
}

export async function listCards(db: Db, workspaceId: string, agent: string): Promise<Card[]> {
  const id = await agentId(db, workspaceId, agent, false);
  if (!id) return [];
  const rows = await db.prisma.metricCard.findMany({
    where: { workspaceId, agentId: id },
    include,
    orderBy: [{ y: "asc" }, { x: "asc" }, { createdAt: "asc" }],
  });
  return rows.map(toCard);
}

export async function createCard(db: Db, workspaceId: string, input: z.infer<typeof ZCreateCard>): Promise<Card> {
  const id = (await agentId(db, workspaceId, input.agent, true))!;
  // New cards go to the first free place of the grid, filling rows, unless a position is given.
  const layout =
    input.layout ??
    newCardPlace(
      await db.prisma.metricCard.findMany({
        where: { workspaceId, agentId: id },
        select: { x: true, y: true, w: true, h: true },
      }),
      input.type,
    );
  const row = await db.prisma.metricCard.create({
    data: {
      workspaceId,
      agentId: id,
      title: input.title,
      type: input.type,
      query: input.query,
      color: input.color ?? null,
      ...layout,
    },
    include,
  });
  return toCard(row);
}

export async function updateCard(
  db: Db,
  workspaceId: string,
  id: string,
  patch: z.infer<typeof ZUpdateCard>,
): Promise<Card> {
  const { layout, ...rest } = patch;
  // A patch of the type alone or the query alone must leave a card that renders (ZUpdateCard
  // checks the two together).
  if ((patch.type === undefined) !== (patch.query === undefined)) {
    const stored = await db.prisma.metricCard.findFirst({
      where: { id, workspaceId },
      select: { type: true, query: true },
    });
    if (!stored) throw new NotFoundError("card_not_found", "No card with this id.");
    const gap = cardGap(patch.type ?? stored.type, patch.query ?? (stored.query as Card["query"]));
    if (gap) throw new ValidationError(`Invalid request: check ${gap.path}.`, [gap]);
  }
  const { count } = await db.prisma.metricCard.updateMany({
    where: { id, workspaceId },
    data: { ...rest, ...(layout ?? {}) },
  });
  if (count === 0) throw new NotFoundError("card_not_found", "No card with this id.");
  return toCard(await db.prisma.metricCard.findUniqueOrThrow({ where: { id }, include }));
}

export async function deleteCard(db: Db, workspaceId: string, id: string): Promise<void> {
  const { count } = await db.prisma.metricCard.deleteMany({ where: { id, workspaceId } });
  if (count === 0) throw new NotFoundError("card_not_found", "No card with this id.");
}

/** Saves a grid layout in one transaction; ids of other agents or workspaces are "not found". */
export async function saveLayout(db: Db, workspaceId: string, input: z.infer<typeof ZLayoutRequest>): Promise<Card[]> {
  const id = await agentId(db, workspaceId, input.agent, false);
  if (!id) throw new NotFoundError("agent_not_found", `No agent named "${input.agent}".`);
  await db.prisma.$transaction(async (tx) => {
    for (const item of input.layout) {
      const { count } = await tx.metricCard.updateMany({
        where: { id: item.id, workspaceId, agentId: id },
        data: { x: item.x, y: item.y, w: item.w, h: item.h },
      });
      if (count === 0) throw new NotFoundError("card_not_found", `No card ${item.id} on this agent's tab.`);
    }
  });
  return listCards(db, workspaceId, input.agent);
}

/**
 * The Metrics page's tabs: the agents that sent business events, and the one to show. An agent named
 * in the URL without events is not replaced by another agent's tab: it comes back as `without`
 * (with whether such an agent exists at all), for the page to explain.
 */
export async function metricsTabs(
  db: Db,
  workspaceId: string,
  requested: string | undefined,
): Promise<{ agents: string[]; agent: string | null; without: { name: string; exists: boolean } | null }> {
  const rows = await db.prisma.agent.findMany({
    where: { workspaceId, catalog: { some: {} } },
    orderBy: { name: "asc" },
    select: { name: true },
  });
  const agents = rows.map((a) => a.name);
  if (!requested) return { agents, agent: agents[0] ?? null, without: null };
  if (agents.includes(requested)) return { agents, agent: requested, without: null };
  const exists = await agentId(db, workspaceId, requested, false);
  return { agents, agent: null, without: { name: requested, exists: exists !== null } };
}
