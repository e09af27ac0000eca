import { expect } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { DELETE as revokeKey } from "@/app/api/v1/api-keys/[id]/route";
import { POST as createKey } from "@/app/api/v1/api-keys/route";
import { POST as acceptInvite } from "@/app/api/v1/invitations/accept/route";
import { POST as invite } from "@/app/api/v1/invitations/route";
import { POST as createCard } from "@/app/api/v1/metrics/cards/route";
import { POST as postEvents } from "@/app/api/v1/runtime/v1/observability/events/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { POST as createReview } from "@/app/api/v1/runtime/v1/reviews/route";
import { POST as setupPost } from "@/app/api/v1/setup/route";
import type { Role } from "@/lib/auth/roles";
import type { Db } from "@/lib/db";
import { adminCreateWorkspace } from "@/lib/workspaces/admin";
import type { IdKind } from "./api-routes";
import { cookiesFrom, ctx, drained, request } from "./app";

/**
 * Two workspaces as an attacker meets them: A with an owner, a member of every other role, an API
 * key, a revoked key and one row of every kind a path id can name; B, a foreign workspace with its
 * own owner session and key. Built through the route handlers, as clients would.
 */
export type World = {
  workspaceId: string;
  agent: string;
  event: string;
  key: string;
  revokedKey: string;
  sessions: Record<Role, string>;
  foreign: { key: string; session: string; workspaceId: string };
  /** A real id of each kind in workspace A. */
  ids: Record<IdKind, string>;
};

const AGENT = "world-agent";
const EVENT = "world_event";
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();

async function ok(res: Response | Promise<Response>, status: number) {
  const r = await res;
  if (r.status !== status) expect.fail(`expected ${status}, got ${r.status}: ${await r.text()}`);
  return r;
}

async function signIn(email: string, password: string, ip: string): Promise<string> {
  const res = await ok(authPost(request("/api/auth/sign-in/email", { body: { email, password }, ip })), 200);
  return cookiesFrom(res);
}

export async function buildWorld(db: Db): Promise<World> {
  const setup = await ok(
    setupPost(
      request("/api/v1/setup", {
        body: { name: "Owner", email: "owner@world.test", password: "owner-password-1", workspaceName: "A" },
      }),
    ),
    201,
  );
  const owner = cookiesFrom(setup);
  const workspaceId = (await db.prisma.workspace.findFirstOrThrow({ where: { name: "A" } })).id;
  const newKey = async (label: string) =>
    (await (await ok(createKey(request("/api/v1/api-keys", { body: { label }, cookie: owner })), 201)).json()) as {
      apiKey: { id: string };
      secret: string;
    };
  const { secret: key } = await newKey("world");
  const revoked = await newKey("revoked");
  await ok(
    revokeKey(
      request(`/api/v1/api-keys/${revoked.apiKey.id}`, { method: "DELETE", cookie: owner }),
      ctx({ id: revoked.apiKey.id }),
    ),
    204,
  );
  const { apiKey: spareKey } = await newKey("spare");

  const sessions = { owner } as Record<Role, string>;
  for (const role of ["admin", "operator", "reviewer", "viewer"] as const) {
    const inv = await ok(
      invite(request("/api/v1/invitations", { body: { email: `${role}@world.test`, role }, cookie: owner })),
      201,
    );
    const token = (await inv.json()).url.split("/invite/")[1];
    const res = await ok(
      acceptInvite(
        request("/api/v1/invitations/accept", { body: { token, name: role, password: "a-long-password-1" } }),
      ),
      200,
    );
    sessions[role] = cookiesFrom(res);
  }
  const pending = await ok(
    invite(request("/api/v1/invitations", { body: { email: "pending@world.test", role: "viewer" }, cookie: owner })),
    201,
  );
  const invitationId = (await pending.json()).invitation.id as string;

  const traces = [
    {
      id: "w-root",
      executionId: "w-exec",
      type: "agent_execution",
      name: "run",
      agent: AGENT,
      startedAt: at(0),
      endedAt: at(9),
      threadId: "w-thread",
      input: { q: "hi" },
    },
    {
      id: "w-child",
      executionId: "w-exec",
      parentId: "w-root",
      type: "llm_call",
      name: "llm",
      startedAt: at(1),
      endedAt: at(2),
    },
    {
      id: "w-msg",
      executionId: "w-exec",
      parentId: "w-root",
      type: "conversation_message",
      name: "user",
      startedAt: at(1),
      message: { role: "user", content: "hello" },
    },
  ];
  await ok(postTraces(request("/api/v1/runtime/v1/observability/traces", { body: { traces }, bearer: key })), 207);
  await ok(
    postEvents(
      request("/api/v1/runtime/v1/observability/events", {
        body: { events: [{ name: EVENT, agent: AGENT, timestamp: at(3), properties: { plan: "pro", n: 2 } }] },
        bearer: key,
      }),
    ),
    207,
  );
  await drained(); // with Redis the worker writes them: the review needs its execution
  const review = await ok(
    createReview(
      request("/api/v1/runtime/v1/reviews", {
        body: { executionId: "w-exec", agentId: AGENT, rating: "bad", comment: "The answer was wrong." },
        bearer: key,
      }),
    ),
    201,
  );
  const card = await ok(
    createCard(
      request("/api/v1/metrics/cards", {
        body: { agent: AGENT, title: "Events", type: "line", query: { event: EVENT, range: "7d" } },
        bearer: key,
      }),
    ),
    201,
  );
  const viewerId = (await db.prisma.user.findUniqueOrThrow({ where: { email: "viewer@world.test" } })).id;

  const b = await adminCreateWorkspace(db, {
    name: "B",
    ownerEmail: "owner@foreign.test",
    apiKey: "rl_world_foreign_key_0123456789",
  });
  const foreignSession = await signIn("owner@foreign.test", b.ownerPassword as string, "10.77.0.1");

  return {
    workspaceId,
    agent: AGENT,
    event: EVENT,
    key,
    revokedKey: revoked.secret,
    sessions,
    foreign: { key: "rl_world_foreign_key_0123456789", session: foreignSession, workspaceId: b.workspace.id },
    ids: {
      execution: "w-exec",
      span: "w-child",
      thread: "w-thread",
      review: (await review.json()).reviewId,
      card: (await card.json()).card.id,
      apiKey: spareKey.id,
      invitation: invitationId,
      member: viewerId,
      batch: "if_world_missing",
    },
  };
}

/** Placeholders of API_ROUTES bodies and queries ($agent, $execution, …) filled from the world. */
export function fillPlaceholders<T>(value: T, world: World): T {
  const subst: Record<string, string> = {
    $agent: world.agent,
    $event: world.event,
    $workspace: world.workspaceId,
    $execution: world.ids.execution,
    $span: world.ids.span,
    $thread: world.ids.thread,
    $card: world.ids.card,
  };
  return JSON.parse(JSON.stringify(value), (_, v) => (typeof v === "string" && v in subst ? subst[v] : v)) as T;
}

export function fillQuery(query: string | undefined, world: World): string {
  if (!query) return "";
  return `?${query.replace(/\$[a-z]+/g, (m) => encodeURIComponent(fillPlaceholders(m, world)))}`;
}
