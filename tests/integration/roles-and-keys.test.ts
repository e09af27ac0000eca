import { describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { DELETE as revokeKey } from "@/app/api/v1/api-keys/[id]/route";
import { POST as createKey, GET as listKeys } from "@/app/api/v1/api-keys/route";
import { POST as acceptInvite } from "@/app/api/v1/invitations/accept/route";
import { POST as invite } from "@/app/api/v1/invitations/route";
import { PATCH as patchMember } from "@/app/api/v1/members/[userId]/route";
import { GET as listExecutions } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { POST as setupPost } from "@/app/api/v1/setup/route";
import { cookiesFrom, ctx, request, stampAsServer, withAppDb } from "../helpers/app";

const EXECUTIONS = "/api/v1/runtime/v1/observability/executions";

describe("roles, invitations and API keys", () => {
  const app = withAppDb();
  let ownerCookie = "";

  async function join(role: string, email: string): Promise<string> {
    const inv = await invite(request("/api/v1/invitations", { body: { email, role }, cookie: ownerCookie }));
    expect(inv.status).toBe(201);
    const { url } = await inv.json();
    const token = url.split("/invite/")[1];
    const res = await acceptInvite(
      request("/api/v1/invitations/accept", { body: { token, name: role, password: "a-long-password-1" } }),
    );
    expect(res.status).toBe(200);
    return cookiesFrom(res);
  }

  it("sets up an owner", async () => {
    const res = await setupPost(
      request("/api/v1/setup", {
        body: { name: "Owner", email: "owner@example.com", password: "owner-password-1", workspaceName: "Main" },
      }),
    );
    ownerCookie = cookiesFrom(res);
    expect(res.status).toBe(201);
  });

  it("creates a key whose secret is shown once and stored hashed; it authenticates the API", async () => {
    const res = await createKey(request("/api/v1/api-keys", { body: { label: "bot" }, cookie: ownerCookie }));
    expect(res.status).toBe(201);
    const { apiKey, secret } = await res.json();
    expect(secret).toMatch(/^rl_[A-Za-z0-9]{40}$/);
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    const row = await app.db().prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(row.secretHash).not.toContain(secret);

    const list = await (await listKeys(request("/api/v1/api-keys", { cookie: ownerCookie }))).json();
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(list.apiKeys[0]).toMatchObject({ label: "bot", prefix: apiKey.prefix, revokedAt: null });

    const ok = await listExecutions(request(EXECUTIONS, { bearer: secret }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ executions: [], nextCursor: null });
    const listed = await (await listKeys(request("/api/v1/api-keys", { cookie: ownerCookie }))).json();
    expect(listed.apiKeys[0].lastUsedAt).not.toBeNull();

    expect((await listExecutions(request(EXECUTIONS, { bearer: "rl_wrong" }))).status).toBe(401);
    expect((await listExecutions(request(EXECUTIONS))).status).toBe(401);

    expect(
      (
        await revokeKey(
          request(`/api/v1/api-keys/${apiKey.id}`, { method: "DELETE", cookie: ownerCookie }),
          ctx({ id: apiKey.id }),
        )
      ).status,
    ).toBe(204);
    const revoked = await listExecutions(request(EXECUTIONS, { bearer: secret }));
    expect(revoked.status).toBe(401);
  });

  it("accepts the x-runlens-api-key header too", async () => {
    const { secret } = await (
      await createKey(request("/api/v1/api-keys", { body: { label: "hdr" }, cookie: ownerCookie }))
    ).json();
    const res = await listExecutions(request(EXECUTIONS, { headers: { "x-runlens-api-key": secret } }));
    expect(res.status).toBe(200);
  });

  it("a viewer can read but cannot create API keys", async () => {
    const viewer = await join("viewer", "viewer@example.com");
    expect((await listExecutions(request(EXECUTIONS, { cookie: viewer }))).status).toBe(200);
    const res = await createKey(request("/api/v1/api-keys", { body: { label: "nope" }, cookie: viewer }));
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("forbidden");
    expect(await app.db().prisma.apiKey.count({ where: { label: "nope" } })).toBe(0);
  });

  it("an invitation link works once", async () => {
    const inv = await invite(
      request("/api/v1/invitations", { body: { email: "once@example.com", role: "reviewer" }, cookie: ownerCookie }),
    );
    const token = (await inv.json()).url.split("/invite/")[1];
    const first = await acceptInvite(
      request("/api/v1/invitations/accept", { body: { token, name: "Once", password: "a-long-password-1" } }),
    );
    expect(first.status).toBe(200);
    const second = await acceptInvite(
      request("/api/v1/invitations/accept", { body: { token, name: "Twice", password: "a-long-password-2" } }),
    );
    expect(second.status).toBe(404);
    const member = await app.db().prisma.member.findFirstOrThrow({ where: { user: { email: "once@example.com" } } });
    expect(member.role).toBe("reviewer");
  });

  it("an admin manages members but cannot make owners", async () => {
    const admin = await join("admin", "admin@example.com");
    const operator = await join("operator", "operator@example.com");
    const op = await app.db().prisma.user.findUniqueOrThrow({ where: { email: "operator@example.com" } });
    const promote = await patchMember(
      request(`/api/v1/members/${op.id}`, { method: "PATCH", body: { role: "owner" }, cookie: admin }),
      ctx({ userId: op.id }),
    );
    expect(promote.status).toBe(403);
    const demote = await patchMember(
      request(`/api/v1/members/${op.id}`, { method: "PATCH", body: { role: "viewer" }, cookie: admin }),
      ctx({ userId: op.id }),
    );
    expect(demote.status).toBe(200);
    // The operator (now a viewer) is refused member management.
    const self = await patchMember(
      request(`/api/v1/members/${op.id}`, { method: "PATCH", body: { role: "admin" }, cookie: operator }),
      ctx({ userId: op.id }),
    );
    expect(self.status).toBe(403);
  });

  it("keeps the last owner", async () => {
    const owner = await app.db().prisma.user.findUniqueOrThrow({ where: { email: "owner@example.com" } });
    const res = await patchMember(
      request(`/api/v1/members/${owner.id}`, { method: "PATCH", body: { role: "admin" }, cookie: ownerCookie }),
      ctx({ userId: owner.id }),
    );
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("last_owner");
  });

  it("signs out a member whose password an admin reset", async () => {
    const { adminResetPassword } = await import("@/lib/workspaces/admin");
    const viewerLogin = await authPost(
      request("/api/auth/sign-in/email", {
        body: { email: "viewer@example.com", password: "a-long-password-1" },
        ip: "10.9.0.1",
      }),
    );
    const cookie = cookiesFrom(viewerLogin);
    const password = await adminResetPassword(app.db(), "viewer@example.com");
    expect(password).toBeTruthy();
    expect((await listExecutions(request(EXECUTIONS, { cookie }))).status).toBe(401);
    const again = await authPost(
      request("/api/auth/sign-in/email", { body: { email: "viewer@example.com", password }, ip: "10.9.0.2" }),
    );
    expect(again.status).toBe(200);
    expect(await adminResetPassword(app.db(), "nobody@example.com")).toBeNull();
  });
});

describe("invitation links", () => {
  it("use the address the admin reached the portal at, or RUNLENS_URL", async () => {
    const { publicOrigin } = await import("@/lib/http/guards");
    const req = new Request("http://localhost:3000/api/v1/invitations", { headers: { host: "10.1.2.3:3000" } });
    expect(publicOrigin(req)).toBe("http://10.1.2.3:3000");
    const proxy = (peer: string) => {
      const headers = new Headers({
        host: "internal",
        "x-forwarded-host": "runlens.acme.io",
        "x-forwarded-proto": "https",
      });
      stampAsServer(headers, peer);
      return new Request("http://localhost:3000/x", { headers });
    };
    // A client's own X-Forwarded-Host is not believed; a trusted proxy's is.
    expect(publicOrigin(proxy("10.0.0.9"))).toBe("http://internal");
    process.env.RUNLENS_TRUSTED_PROXIES = "10.0.0.9";
    try {
      expect(publicOrigin(proxy("10.0.0.9"))).toBe("https://runlens.acme.io");
      expect(publicOrigin(proxy("10.0.0.10"))).toBe("http://internal");
    } finally {
      delete process.env.RUNLENS_TRUSTED_PROXIES;
    }
    process.env.RUNLENS_URL = "https://obs.example.com/";
    try {
      expect(publicOrigin(req)).toBe("https://obs.example.com");
    } finally {
      delete process.env.RUNLENS_URL;
    }
  });
});
