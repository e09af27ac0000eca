import { afterEach, describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { GET as meGet } from "@/app/api/v1/me/route";
import { DELETE as deleteCard, PATCH as patchCard } from "@/app/api/v1/metrics/cards/[id]/route";
import { PUT as putLayout } from "@/app/api/v1/metrics/cards/layout/route";
import { POST as createCard } from "@/app/api/v1/metrics/cards/route";
import { POST as metricQuery } from "@/app/api/v1/metrics/query/route";
import { DELETE as deleteReview, PATCH as patchReview } from "@/app/api/v1/runtime/v1/reviews/[id]/route";
import { POST as createReview } from "@/app/api/v1/runtime/v1/reviews/route";
import { POST as setupPost } from "@/app/api/v1/setup/route";
import { PUT as switchWorkspace } from "@/app/api/v1/workspaces/active/route";
import { resetAuth } from "@/lib/auth/better-auth";
import { sessionTokenHash } from "@/lib/auth/session-tokens";
import { cookiesFrom, ctx, ORIGIN, request, withAppDb } from "../helpers/app";

const owner = { name: "Ana Owner", email: "ana@example.com", password: "correct-horse-battery", workspaceName: "Acme" };

function signIn(ip: string, headers: Record<string, string> = {}, password = "wrong-password-123") {
  return authPost(request("/api/auth/sign-in/email", { body: { email: owner.email, password }, ip, headers }));
}

async function statusesOf(attempts: Promise<Response>[]): Promise<number[]> {
  const out: number[] = [];
  for (const a of attempts) out.push((await a).status);
  return out;
}

afterEach(() => {
  delete process.env.RUNLENS_TRUSTED_PROXIES;
  delete process.env.RUNLENS_URL;
  resetAuth();
});

describe("the edge: client addresses, origins, credentials and sessions", () => {
  const app = withAppDb();
  let session = "";

  it("sets up the owner", async () => {
    const res = await setupPost(request("/api/v1/setup", { body: owner }));
    expect(res.status).toBe(201);
    session = cookiesFrom(res);
  });

  it("a forged X-Forwarded-For does not escape the sign-in limit without trusted proxies", async () => {
    const statuses: number[] = [];
    // One socket address, a new claimed address each attempt (sequential: the limiter counts in order).
    for (let i = 0; i < 12; i++)
      statuses.push((await signIn("10.7.0.1", { "x-forwarded-for": `198.51.100.${i}` })).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    // A header with two addresses is the same client too, not a bucket shared with others.
    expect((await signIn("10.7.0.1", { "x-forwarded-for": "1.1.1.1, 2.2.2.2" })).status).toBe(429);
    expect((await signIn("10.7.0.2", { "x-forwarded-for": "1.1.1.1, 2.2.2.2" }, owner.password)).status).toBe(200);
  });

  it("with trusted proxies, only the address beyond the trusted hops counts", async () => {
    process.env.RUNLENS_TRUSTED_PROXIES = "10.7.1.1, 10.7.2.0/24";
    // Through both proxies, the client forges a new left-most address each time: one bucket.
    const forged: number[] = [];
    for (let i = 0; i < 11; i++)
      forged.push((await signIn("10.7.1.1", { "x-forwarded-for": `192.0.2.${i}, 203.0.113.5, 10.7.2.9` })).status);
    expect(forged.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(forged[10]).toBe(429);
    // Distinct clients behind the proxies each have their own bucket.
    const clients = await statusesOf(
      Array.from({ length: 11 }, (_, i) => signIn("10.7.1.1", { "x-forwarded-for": `203.0.113.${100 + i}, 10.7.2.9` })),
    );
    expect(clients.every((s) => s === 401)).toBe(true);
    // The same header from a peer that is not a trusted proxy is that peer's own attempt.
    const direct: number[] = [];
    for (let i = 0; i < 11; i++)
      direct.push((await signIn("10.7.3.3", { "x-forwarded-for": `203.0.113.${200 + i}` })).status);
    expect(direct[10]).toBe(429);
  });

  it("stores session tokens hashed, never as the cookie carries them", async () => {
    const token = decodeURIComponent(/runlens\.session_token=([^;]+)/.exec(session)![1]).split(".")[0];
    const stored = await app.db().prisma.session.findMany({ select: { token: true } });
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.map((s) => s.token)).not.toContain(token);
    expect(stored.map((s) => s.token)).toContain(sessionTokenHash(token));
    // ...and the cookie still opens the session.
    expect((await meGet(request("/api/v1/me", { cookie: session }))).status).toBe(200);
  });

  for (const configured of [false, true]) {
    it(`refuses a foreign Origin on /api/auth mutations (${configured ? "with" : "without"} RUNLENS_URL)`, async () => {
      if (configured) process.env.RUNLENS_URL = ORIGIN;
      resetAuth();
      const evil = { origin: "http://evil.example" };
      const update = await authPost(
        request("/api/auth/update-user", { body: { name: "Mallory" }, cookie: session, headers: evil }),
      );
      expect(update.status).toBe(403);
      const out = await authPost(request("/api/auth/sign-out", { body: {}, cookie: session, headers: evil }));
      expect(out.status).toBe(403);
      const password = await authPost(
        request("/api/auth/change-password", {
          body: { currentPassword: owner.password, newPassword: "mallory-chose-this" },
          cookie: session,
          headers: evil,
        }),
      );
      expect(password.status).toBe(403);
      // A client-sent X-Forwarded-Host naming the foreign site changes nothing.
      const forwarded = await authPost(
        request("/api/auth/update-user", {
          body: { name: "Mallory" },
          cookie: session,
          headers: { ...evil, "x-forwarded-host": "evil.example" },
        }),
      );
      expect(forwarded.status).toBe(403);
      expect((await app.db().prisma.user.findFirstOrThrow()).name).toBe(owner.name);
      // The portal's own origin still works, and the session survived.
      const own = await authPost(request("/api/auth/update-user", { body: { name: owner.name }, cookie: session }));
      expect(own.status).toBe(200);
      expect((await meGet(request("/api/v1/me", { cookie: session }))).status).toBe(200);
    });
  }

  it("answers 401, not an Origin error, on programmatic endpoints without any credentials", async () => {
    const bare = (path: string, method: string, body: unknown) =>
      new Request(`${ORIGIN}${path}`, {
        method,
        headers: { host: new URL(ORIGIN).host, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const id = { id: "anything" };
    const reviews = "/api/v1/runtime/v1/reviews";
    const answers = [
      await createReview(
        bare(reviews, "POST", { executionId: "e", agentId: "a", rating: "good", comment: "long enough comment" }),
      ),
      await patchReview(bare(`${reviews}/x`, "PATCH", { status: "resolved" }), ctx(id)),
      await deleteReview(bare(`${reviews}/x`, "DELETE", {}), ctx(id)),
      await metricQuery(
        bare("/api/v1/metrics/query", "POST", { agent: "a", event: "e", aggregation: "count", from: 0, to: 1 }),
      ),
      await createCard(bare("/api/v1/metrics/cards", "POST", { agent: "a", title: "t", type: "number", query: {} })),
      await patchCard(bare("/api/v1/metrics/cards/x", "PATCH", { title: "t" }), ctx(id)),
      await deleteCard(bare("/api/v1/metrics/cards/x", "DELETE", {}), ctx(id)),
      await putLayout(bare("/api/v1/metrics/cards/layout", "PUT", { agent: "a", layout: [] })),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    }
  });

  it("marks every cookie Secure when the portal is reached over https", async () => {
    process.env.RUNLENS_TRUSTED_PROXIES = "10.7.9.9";
    const workspaceId = (await app.db().prisma.workspace.findFirstOrThrow()).id;
    const https = { origin: "https://runlens.test", "x-forwarded-proto": "https" };
    const viaTls = await switchWorkspace(
      request("/api/v1/workspaces/active", {
        method: "PUT",
        body: { workspaceId },
        cookie: session,
        ip: "10.7.9.9",
        headers: https,
      }),
    );
    expect(viaTls.status).toBe(200);
    expect(viaTls.headers.getSetCookie().join("\n")).toMatch(/runlens_workspace=[^\n]*; Secure/);
    const signedIn = await signIn("10.7.9.9", { ...https, "x-forwarded-for": "203.0.113.77" }, owner.password);
    expect(signedIn.status).toBe(200);
    const cookies = signedIn.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const c of cookies) expect(c).toMatch(/; Secure/i);
    // Over plain http (the same request from a peer that is not a proxy) they are not.
    const plain = await switchWorkspace(
      request("/api/v1/workspaces/active", { method: "PUT", body: { workspaceId }, cookie: session }),
    );
    expect(plain.headers.getSetCookie().join("\n")).not.toMatch(/Secure/i);
  });
});
