import { describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { GET as meGet } from "@/app/api/v1/me/route";
import { GET as setupGet, POST as setupPost } from "@/app/api/v1/setup/route";
import { cookiesFrom, request, withAppDb } from "../helpers/app";

const owner = { name: "Ana Owner", email: "ana@example.com", password: "correct-horse-battery", workspaceName: "Acme" };

function signIn(email: string, password: string, ip = "10.0.0.1") {
  return authPost(request("/api/auth/sign-in/email", { body: { email, password }, ip }));
}

describe("first run, login and sessions", () => {
  const app = withAppDb();

  it("opens setup while no user exists, creates the owner and signs them in", async () => {
    expect(await (await setupGet(request("/api/v1/setup"))).json()).toEqual({ needsSetup: true });
    const res = await setupPost(request("/api/v1/setup", { body: owner }));
    expect(res.status).toBe(201);
    const setCookie = res.headers.getSetCookie().join("\n");
    expect(setCookie).toMatch(/runlens\.session_token=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    const me = await meGet(request("/api/v1/me", { cookie: cookiesFrom(res) }));
    expect(me.status).toBe(200);
    const body = await me.json();
    expect(body.user.email).toBe(owner.email);
    expect(body.workspace).toMatchObject({ name: "Acme", role: "owner" });
    expect(await (await setupGet(request("/api/v1/setup"))).json()).toEqual({ needsSetup: false });
  });

  it("stores the password hashed, never in clear", async () => {
    const account = await app.db().prisma.account.findFirstOrThrow({ where: { user: { email: owner.email } } });
    expect(account.password).toBeTruthy();
    expect(account.password).not.toContain(owner.password);
  });

  it("closes setup once a user exists", async () => {
    const res = await setupPost(request("/api/v1/setup", { body: { ...owner, email: "eve@example.com" } }));
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("already_set_up");
  });

  it("names each bad setup field", async () => {
    const res = await setupPost(
      request("/api/v1/setup", { body: { name: "", email: "nope", password: "short", workspaceName: "x" } }),
    );
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("validation_error");
    expect(error.details.map((d: { path: string }) => d.path).sort()).toEqual(["email", "name", "password"]);
  });

  it("signs in with the right password and refuses a wrong one", async () => {
    const ok = await signIn(owner.email, owner.password, "10.0.1.1");
    expect(ok.status).toBe(200);
    const me = await meGet(request("/api/v1/me", { cookie: cookiesFrom(ok) }));
    expect(me.status).toBe(200);
    expect((await signIn(owner.email, "wrong-password-123", "10.0.1.1")).status).toBe(401);
  });

  it("answers an unknown email exactly like a wrong password (no account enumeration)", async () => {
    const wrong = await signIn(owner.email, "wrong-password-123", "10.0.2.1");
    const unknown = await signIn("nobody@example.com", "wrong-password-123", "10.0.2.1");
    expect(unknown.status).toBe(wrong.status);
    expect(await unknown.json()).toEqual(await wrong.json());
  });

  it("rate-limits sign-in attempts from one address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn(owner.email, "wrong-password-123", "10.0.3.1")).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Another address is not affected.
    expect((await signIn(owner.email, owner.password, "10.0.3.2")).status).toBe(200);
  });

  it("refuses a signed-in mutation from another site (CSRF)", async () => {
    const session = cookiesFrom(await signIn(owner.email, owner.password, "10.0.4.1"));
    const { POST: createKey } = await import("@/app/api/v1/api-keys/route");
    const evil = await createKey(
      request("/api/v1/api-keys", {
        body: { label: "evil" },
        cookie: session,
        headers: { origin: "https://evil.example" },
      }),
    );
    expect(evil.status).toBe(403);
    expect((await evil.json()).error.code).toBe("cross_site_request");
    expect(await app.db().prisma.apiKey.count()).toBe(0);
  });

  it("ends the session on sign-out", async () => {
    const session = cookiesFrom(await signIn(owner.email, owner.password, "10.0.5.1"));
    const out = await authPost(request("/api/auth/sign-out", { body: {}, cookie: session }));
    expect(out.status).toBe(200);
    expect((await meGet(request("/api/v1/me", { cookie: session }))).status).toBe(401);
  });

  it("changes the password with the current one and signs other sessions out", async () => {
    const first = cookiesFrom(await signIn(owner.email, owner.password, "10.0.6.1"));
    const second = cookiesFrom(await signIn(owner.email, owner.password, "10.0.6.2"));
    const wrong = await authPost(
      request("/api/auth/change-password", {
        body: { currentPassword: "not-the-password", newPassword: "a-brand-new-password" },
        cookie: first,
      }),
    );
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    const ok = await authPost(
      request("/api/auth/change-password", {
        body: { currentPassword: owner.password, newPassword: "a-brand-new-password", revokeOtherSessions: true },
        cookie: first,
      }),
    );
    expect(ok.status).toBe(200);
    expect((await meGet(request("/api/v1/me", { cookie: second }))).status).toBe(401);
    expect((await signIn(owner.email, "a-brand-new-password", "10.0.6.3")).status).toBe(200);
    expect((await signIn(owner.email, owner.password, "10.0.6.4")).status).toBe(401);
  });
});
