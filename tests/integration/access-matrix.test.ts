import { beforeAll, describe, expect, it } from "vitest";
import { can, ROLES, type Role } from "@/lib/auth/roles";
import { allowHeader, ROUTE_METHODS, type RouteMethod } from "@/lib/http/methods";
import {
  API_ROUTES,
  discoverRouteFiles,
  loadRoute,
  type MethodSpec,
  type RouteFile,
  type RouteSpec,
  routePath,
  unservedMethods,
} from "../helpers/api-routes";
import { request, withAppDb } from "../helpers/app";
import { buildWorld, fillPlaceholders, fillQuery, type World } from "../helpers/world";

/**
 * Every route file under app/api (found on disk) by every credential: none, a wrong key, a revoked
 * key, a foreign workspace's key and session, the workspace's key and a session of each role. Each
 * cell is the code the contract promises (API.md): 401 without valid credentials, 403 for a role
 * without the permission, and for a foreign workspace exactly the answer a missing id gets.
 */

type Cred = {
  name: string;
  kind: "none" | "badKey" | "key" | "foreignKey" | "session" | "foreignSession";
  role?: Role;
  bearer?: string;
  cookie?: string;
};

function credentials(world: World): Cred[] {
  return [
    { name: "no credentials", kind: "none" },
    { name: "wrong key", kind: "badKey", bearer: "rl_wrong_0000000000000000000000000000000000" },
    { name: "revoked key", kind: "badKey", bearer: world.revokedKey },
    { name: "foreign key", kind: "foreignKey", bearer: world.foreign.key },
    { name: "foreign session", kind: "foreignSession", cookie: world.foreign.session },
    { name: "key", kind: "key", bearer: world.key },
    ...ROLES.map((role): Cred => ({ name: role, kind: "session", role, cookie: world.sessions[role] })),
  ];
}

/** The promised status for an own-workspace or credential-less caller (foreign callers: see below). */
function expected(spec: RouteSpec, m: MethodSpec, cred: Cred): number {
  const permitted = (role: Role) => (can(role, m.permission ?? "workspace.read") ? m.ok : 403);
  const key = cred.kind === "key" || cred.kind === "foreignKey";
  const session = cred.kind === "session" || cred.kind === "foreignSession";
  const role = cred.kind === "foreignSession" ? "owner" : cred.role;
  switch (spec.auth) {
    case "public":
    case "auth":
    case "unknown":
      return m.ok;
    case "key":
      return key ? m.ok : 401;
    case "reader":
      if (cred.bearer) return key ? m.ok : 401;
      return session && role ? permitted(role) : 401;
    case "keyOrMember":
      if (cred.bearer) return key ? m.ok : 401;
      return session && role ? permitted(role) : 401;
    case "member":
      return session && role ? permitted(role) : 401;
    case "user":
      return session ? m.ok : 401;
  }
}

type Answer = { status: number; body: unknown; allow: string | null };

async function read(res: Response): Promise<Answer> {
  const type = res.headers.get("content-type") ?? "";
  let body: unknown = null;
  if (type.includes("event-stream")) await res.body?.cancel();
  else {
    const text = await res.text();
    body = type.includes("json") && text ? JSON.parse(text) : text;
  }
  return { status: res.status, body, allow: res.headers.get("allow") };
}

function expectErrorShape(a: Answer, cell: string) {
  const error = (a.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  expect(typeof error?.code, `${cell}: error shape`).toBe("string");
  expect(typeof error?.message, `${cell}: error shape`).toBe("string");
}

describe("access matrix", () => {
  const app = withAppDb();
  const files = discoverRouteFiles();
  let world: World;

  beforeAll(async () => {
    world = await buildWorld(app.db());
  }, 120_000);

  it("has an entry for every route file under app/api, and none for a route that is gone", () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files.map((f) => f.route).filter((r) => !API_ROUTES[r])).toEqual([]);
    expect(Object.keys(API_ROUTES).filter((r) => !files.some((f) => f.route === r))).toEqual([]);
  });

  /** One call of a route handler with params filled from `ids`. */
  async function call(file: RouteFile, method: string, cred: Cred, ids: "real" | "missing"): Promise<Answer> {
    const spec = API_ROUTES[file.route];
    const m = spec.methods[method as RouteMethod];
    const params: Record<string, string> = {};
    for (const [name, kind] of Object.entries(spec.params ?? {}))
      params[name] = ids === "real" ? world.ids[kind] : `matrix-missing-${kind}`;
    const path = `${routePath(file.route, spec, params, m)}${fillQuery(m?.query, world)}`;
    const hasBody = method !== "GET" && method !== "HEAD" && method !== "DELETE" && m?.body !== undefined;
    const req = request(path, {
      method,
      body: hasBody ? fillPlaceholders({ matrix: true }, world) : undefined,
      bearer: cred.bearer,
      cookie: cred.cookie,
      headers: spec.contentType ? { "content-type": spec.contentType } : undefined,
    });
    const handler = (await loadRoute(file.file))[method];
    if (!handler) throw new Error(`${file.route} exports no ${method}`);
    const catchAll = file.params.length === 1 && file.route.includes("[...");
    const ctxParams = catchAll ? { [file.params[0]]: path.split("/").slice(2) } : params;
    return read(await handler(req, { params: Promise.resolve(ctxParams) }));
  }

  for (const file of files) {
    describe(file.route, () => {
      const spec = () => API_ROUTES[file.route];

      it("answers the methods it does not serve with 405 in the error format and an Allow header", async () => {
        if (!spec() || spec().auth === "unknown") return;
        const module = await loadRoute(file.file);
        const served = Object.keys(spec().methods);
        // HEAD is Next's own where GET is (the GET handler without the body).
        for (const method of [...ROUTE_METHODS, "OPTIONS"])
          if (method !== "HEAD" || !("GET" in spec().methods))
            expect(module[method], `${method} export`).toBeTypeOf("function");
        for (const method of unservedMethods(spec())) {
          const a = await call(file, method, { name: "key", kind: "key", bearer: world.key }, "missing");
          expect(a.status, method).toBe(405);
          expect(a.allow).toBe(allowHeader(served));
          if (method !== "HEAD") expectErrorShape(a, `${file.route} ${method}`);
        }
      });

      it("answers every credential with the code the contract promises", async () => {
        if (!spec()) return;
        const failures: string[] = [];
        for (const [method, m] of Object.entries(spec().methods) as [RouteMethod, MethodSpec][]) {
          for (const cred of credentials(world)) {
            const cell = `${method} ${file.route} as ${cred.name}`;
            const a = await call(file, method, cred, method === "GET" ? "real" : "missing");
            const foreign = cred.kind === "foreignKey" || cred.kind === "foreignSession";
            if (foreign && spec().params) {
              // A foreign workspace's id answers exactly like a missing one, for every method.
              const onReal = method === "GET" ? a : await call(file, method, cred, "real");
              const onMissing = await call(file, method, cred, "missing");
              if (onReal.status !== onMissing.status || JSON.stringify(onReal.body) !== JSON.stringify(onMissing.body))
                failures.push(
                  `${cell}: ${onReal.status} ${JSON.stringify(onReal.body)} on a foreign id, ${onMissing.status} ${JSON.stringify(onMissing.body)} on a missing one`,
                );
              if (onReal.status >= 500) failures.push(`${cell}: ${onReal.status}`);
              continue;
            }
            const want = expected(spec(), m, cred);
            if (a.status !== want) failures.push(`${cell}: ${a.status}, expected ${want} ${JSON.stringify(a.body)}`);
            else if (a.status >= 400 && !spec().foreignErrorFormat) {
              const error = (a.body as { error?: { code?: unknown } } | null)?.error;
              if (typeof error?.code !== "string") failures.push(`${cell}: ${a.status} without the error shape`);
            }
          }
        }
        expect(failures).toEqual([]);
        // Some cells run real work (a demo load, an export): a generous bound against hangs, not a timing.
      }, 180_000);
    });
  }

  it("left every row of workspace A in place (foreign mutations changed nothing)", async () => {
    const db = app.db().prisma;
    expect(await db.review.count({ where: { id: world.ids.review } })).toBe(1);
    expect(await db.metricCard.count({ where: { id: world.ids.card } })).toBe(1);
    expect(await db.apiKey.count({ where: { id: world.ids.apiKey, revokedAt: null } })).toBe(1);
    expect(await db.invitation.count({ where: { id: world.ids.invitation } })).toBe(1);
    expect(await db.member.count({ where: { userId: world.ids.member, workspaceId: world.workspaceId } })).toBe(1);
  });
});
