import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { getAuth } from "@/lib/auth/better-auth";
import { NotFoundError, UnauthorizedError } from "@/lib/errors";
import { setupFirstOwner } from "@/lib/workspaces/service";
import { cookiesFrom, request, withAppDb } from "@/tests/helpers/app";
import { createKeyedWorkspace } from "@/tests/helpers/workspace";
import { type Access, type RouteHandler, reply, route } from "./route";

/**
 * route(): who may call (each access kind against real keys and sessions), how input is parsed,
 * how errors are answered, and that an answer which does not match its response schema is a loud
 * 500 outside production and passes unchecked in production.
 */

const ZWho = z.strictObject({ kind: z.string() });

/** A route answering which kind of principal it got. */
const whoAmI = (auth: Access, permission?: "metrics.edit") =>
  route({
    auth,
    permission,
    response: ZWho,
    handler: ({ principal }) => ({
      kind: principal === null ? "nobody" : "kind" in principal ? principal.kind : "user",
    }),
  });

async function call(handler: RouteHandler, req: Request, params?: Record<string, string>) {
  const res = await handler(req, params && { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

describe("route()", () => {
  const app = withAppDb({ worker: false });
  let key = "";
  let owner = "";

  beforeAll(async () => {
    const db = app.db();
    await setupFirstOwner(db, {
      name: "Owner",
      email: "owner@route.test",
      password: "owner-password-1",
      workspaceName: "Route",
    });
    const signIn = await (await getAuth()).api.signInEmail({
      body: { email: "owner@route.test", password: "owner-password-1" },
      headers: request("/api/auth/sign-in/email").headers,
      asResponse: true,
    });
    owner = cookiesFrom(signIn);
    ({ apiKey: key } = await createKeyedWorkspace(db, "Keyed"));
  });

  afterEach(() => vi.unstubAllEnvs());

  describe("access", () => {
    const noOrigin = (init: { cookie?: string; bearer?: string }) => {
      const req = request("/x", { method: "POST", ...init });
      const headers = new Headers(req.headers);
      headers.delete("origin");
      return new Request(req.url, { method: "POST", headers });
    };

    it("public: anyone reads; a mutation must come from this site", async () => {
      expect((await call(whoAmI("public"), request("/x"))).body).toEqual({ kind: "nobody" });
      expect((await call(whoAmI("public"), request("/x", { method: "POST" }))).status).toBe(200);
      expect((await call(whoAmI("public"), noOrigin({}))).body.error.code).toBe("cross_site_request");
    });

    it("key: a valid key, nothing else", async () => {
      expect((await call(whoAmI("key"), request("/x", { bearer: key }))).body).toEqual({ kind: "apiKey" });
      for (const req of [request("/x"), request("/x", { bearer: "rl_wrong" }), request("/x", { cookie: owner })])
        expect((await call(whoAmI("key"), req)).status).toBe(401);
    });

    it("member: a session (a key is not looked at); credentials come before the Origin check", async () => {
      expect((await call(whoAmI("member"), request("/x", { cookie: owner }))).body).toEqual({ kind: "member" });
      expect((await call(whoAmI("member"), request("/x", { bearer: key }))).status).toBe(401);
      expect((await call(whoAmI("member"), noOrigin({}))).status).toBe(401);
      expect((await call(whoAmI("member"), noOrigin({ cookie: owner }))).body.error.code).toBe("cross_site_request");
    });

    it("member and reader: a role without the permission is 403", async () => {
      await app
        .db()
        .prisma.member.updateMany({ where: { user: { email: "owner@route.test" } }, data: { role: "viewer" } });
      try {
        for (const auth of ["member", "reader"] as const) {
          const a = await call(whoAmI(auth, "metrics.edit"), request("/x", { cookie: owner }));
          expect(a.status, auth).toBe(403);
          expect(a.body.error.code).toBe("forbidden");
          expect((await call(whoAmI(auth), request("/x", { cookie: owner }))).status).toBe(200);
        }
      } finally {
        await app
          .db()
          .prisma.member.updateMany({ where: { user: { email: "owner@route.test" } }, data: { role: "owner" } });
      }
    });

    it("reader: a key when one is sent, else the session", async () => {
      expect((await call(whoAmI("reader"), request("/x", { bearer: key }))).body).toEqual({ kind: "apiKey" });
      expect((await call(whoAmI("reader"), request("/x", { cookie: owner }))).body).toEqual({ kind: "member" });
      expect((await call(whoAmI("reader"), request("/x", { bearer: "rl_wrong", cookie: owner }))).status).toBe(401);
      expect((await call(whoAmI("reader"), request("/x"))).status).toBe(401);
    });

    it("user: any session, no workspace needed", async () => {
      expect((await call(whoAmI("user"), request("/x", { cookie: owner }))).body).toEqual({ kind: "user" });
      expect((await call(whoAmI("user"), request("/x", { bearer: key }))).status).toBe(401);
      expect((await call(whoAmI("user"), noOrigin({ cookie: owner }))).status).toBe(403);
    });

    it("keyOrMember: a key, or a session when a cookie and no key is sent; neither asks for the key", async () => {
      const handler = whoAmI("keyOrMember");
      expect((await call(handler, request("/x", { method: "POST", bearer: key }))).body).toEqual({ kind: "apiKey" });
      expect((await call(handler, request("/x", { method: "POST", cookie: owner }))).body).toEqual({ kind: "member" });
      const none = await call(handler, noOrigin({}));
      expect(none.status).toBe(401);
      expect(none.body.error.message).toMatch(/API key/);
      expect((await call(handler, noOrigin({ cookie: "session=forged" }))).status).toBe(401);
    });

    it("authFailure replaces every authentication error", async () => {
      const handler = route({
        auth: "member",
        authFailure: () => new UnauthorizedError("Sign in to continue."),
        response: ZWho,
        handler: () => ({ kind: "member" }),
      });
      const a = await call(handler, request("/x", { bearer: key }));
      expect(a).toMatchObject({ status: 401, body: { error: { message: "Sign in to continue." } } });
    });
  });

  describe("input", () => {
    const echo = route({
      auth: "public",
      query: z.object({ limit: z.coerce.number().int().max(10).default(5) }),
      body: z.object({ name: z.string() }),
      limits: { maxBytes: 100 },
      response: z.strictObject({ limit: z.number(), name: z.string() }),
      handler: ({ query, body }) => ({ limit: query.limit, name: body.name }),
    });

    it("parses the query and the body", async () => {
      const a = await call(echo, request("/x?limit=7", { body: { name: "a" } }));
      expect(a).toMatchObject({ status: 200, body: { limit: 7, name: "a" } });
    });

    it("answers 400 naming the query parameter or body field, 413 past the limit, invalid JSON", async () => {
      const query = await call(echo, request("/x?limit=11", { body: { name: "a" } }));
      expect(query.status).toBe(400);
      expect(query.body.error.details[0].path).toBe("limit");
      const body = await call(echo, request("/x", { body: { name: 1 } }));
      expect(body.body.error).toMatchObject({ code: "validation_error", details: [{ path: "name" }] });
      expect((await call(echo, request("/x", { body: { name: "x".repeat(200) } }))).status).toBe(413);
      expect((await call(echo, request("/x", { body: "{" }))).body.error.code).toBe("invalid_json");
      expect((await call(echo, request("/x", { body: { name: "a\u0000" } }))).body.error.details[0].path).toBe("name");
      expect((await call(echo, request("/x?q=%00", { body: { name: "a" } }))).body.error.details[0].path).toBe("q");
    });

    it("gives path ids after authentication and the body; one Postgres cannot store is the route's not-found", async () => {
      const seen: string[] = [];
      const byId = route({
        auth: "key",
        notFound: () => new NotFoundError("thing_not_found", "No thing."),
        body: z.object({ ok: z.literal(true) }),
        response: z.strictObject({ id: z.string() }),
        handler: ({ params }) => {
          seen.push(params.id);
          return { id: params.id };
        },
      });
      const post = (id: string, body: unknown, bearer = key) => call(byId, request("/x", { body, bearer }), { id });
      expect((await post("t1", { ok: true })).body).toEqual({ id: "t1" });
      expect((await post("t\u0000", { ok: true })).body.error.code).toBe("thing_not_found");
      expect((await post("t\u0000", { ok: false })).status).toBe(400);
      expect((await post("t\u0000", { ok: true }, "rl_wrong")).status).toBe(401);
      expect(seen).toEqual(["t1"]);
    });
  });

  describe("errors", () => {
    const throwing = (e: unknown) =>
      route({
        auth: "public",
        response: ZWho,
        handler: () => {
          throw e;
        },
      });

    it("answers typed errors in the error format, an outage 503 with Retry-After, anything else a 500", async () => {
      const notFound = await call(throwing(new NotFoundError("x_not_found", "No x.")), request("/x"));
      expect(notFound).toMatchObject({ status: 404, body: { error: { code: "x_not_found", message: "No x." } } });
      const zod = await call(throwing(z.object({ a: z.string() }).safeParse({}).error), request("/x"));
      expect(zod.body.error.code).toBe("validation_error");
      const outage = await call(throwing(Object.assign(new Error("connect"), { code: "ECONNREFUSED" })), request("/x"));
      expect(outage.status).toBe(503);
      expect(outage.headers.get("retry-after")).toBe("5");
      const boom = await call(throwing(new Error("secret internals")), request("/x"));
      expect(boom).toMatchObject({ status: 500, body: { error: { code: "internal_error" } } });
      expect(JSON.stringify(boom.body)).not.toContain("secret");
    });

    it("a handler that authenticates itself answers every request, in its own format", async () => {
      const own = route({
        auth: "handler",
        response: { raw: ["text/plain"] },
        handler: ({ req, principal }) =>
          new Response(`${principal} ${new URL(req.url).search}`, { headers: { "content-type": "text/plain" } }),
      });
      const req = request("/x?q=%00", { method: "POST" });
      const headers = new Headers(req.headers);
      headers.delete("origin");
      const res = await own(new Request(req.url, { method: "POST", headers }));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("null ?q=%00");
    });
  });

  describe("answers", () => {
    it("JSON with the declared status and headers; a reply sets its own status, headers and cookies", async () => {
      const created = route({
        auth: "public",
        status: 201,
        headers: { "cache-control": "no-store" },
        response: ZWho,
        handler: () => ({ kind: "made" }),
      });
      const a = await call(created, request("/x"));
      expect(a).toMatchObject({ status: 201, body: { kind: "made" } });
      expect(a.headers.get("cache-control")).toBe("no-store");
      expect(a.headers.get("content-type")).toBe("application/json");
      const replied = route({
        auth: "public",
        response: ZWho,
        handler: () => reply({ kind: "again" }, { status: 202, headers: { "x-n": "1" }, cookies: ["c=1; Path=/"] }),
      });
      const b = await call(replied, request("/x"));
      expect(b).toMatchObject({ status: 202, body: { kind: "again" } });
      expect(b.headers.get("x-n")).toBe("1");
      expect(b.headers.getSetCookie()).toEqual(["c=1; Path=/"]);
    });

    it('"empty" is a 204 without a body', async () => {
      const empty = route({ auth: "public", response: "empty", handler: () => undefined });
      const res = await empty(request("/x"));
      expect(res.status).toBe(204);
      expect(await res.text()).toBe("");
    });

    it("outside production, an answer that does not match its schema is a 500 naming the differences", async () => {
      const wrong = route({
        auth: "public",
        response: z.strictObject({ n: z.number(), at: z.iso.datetime() }),
        handler: () => ({ n: "1", at: new Date(0).toISOString(), extra: true }) as never,
      });
      const a = await call(wrong, request("/x"));
      expect(a.status).toBe(500);
      expect(a.body.error.code).toBe("response_contract_violation");
      expect(a.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["(root)", "n"]);
      // The schema is checked on the JSON the client gets: a Date is its ISO string there.
      const date = route({
        auth: "public",
        response: z.strictObject({ at: z.iso.datetime() }),
        handler: () => ({ at: new Date(0) }) as never,
      });
      expect((await call(date, request("/x"))).status).toBe(200);
    });

    it("outside production, a body of its own must have a declared content type, and JSON routes write none", async () => {
      const sse = (type: string) =>
        route({
          auth: "public",
          response: { raw: ["text/event-stream"] },
          handler: () => new Response("data: 1\n\n", { headers: { "content-type": type } }),
        });
      expect((await sse("text/event-stream; charset=utf-8")(request("/x"))).status).toBe(200);
      const html = await call(sse("text/html"), request("/x"));
      expect(html).toMatchObject({ status: 500, body: { error: { code: "response_contract_violation" } } });
      const sneaky = route({
        auth: "public",
        response: ZWho,
        handler: () => new Response("{}", { headers: { "content-type": "application/json" } }) as never,
      });
      expect((await sneaky(request("/x"))).status).toBe(500);
    });

    it("in production, answers go out unchecked", async () => {
      vi.stubEnv("NODE_ENV", "production");
      vi.resetModules();
      const { route: productionRoute } = await import("./route");
      const wrong = productionRoute({
        auth: "public",
        response: z.strictObject({ n: z.number() }),
        handler: () => ({ n: "1" }) as never,
      });
      const a = await call(wrong, request("/x"));
      expect(a).toMatchObject({ status: 200, body: { n: "1" } });
    });
  });

  it("keeps its declaration on the handler, for tests and docs", () => {
    const handler = whoAmI("reader", "metrics.edit");
    expect(handler.contract).toMatchObject({ auth: "reader", permission: "metrics.edit", response: ZWho });
  });
});
