import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { API_ROUTES, discoverRouteFiles, loadRoute, type RouteSpec, routePath } from "../helpers/api-routes";
import { ORIGIN, withAppDb } from "../helpers/app";
import { buildWorld, type World } from "../helpers/world";
import { HANG_MS, type Outcome, problemWith, rowCounter, Tally, withinBound } from "./check";
import { casesFor, FUZZ_SEED, type FuzzCase } from "./grammar";

/**
 * The fuzz suite, in process: FUZZ_CASES hostile requests (default 10,000, seed FUZZ_SEED) spread
 * over every route file under app/api, each handed to the route's own handler as Next would. No
 * answer may be a 5xx or a hang, every 4xx is in the error format, a refused request writes no row,
 * and the server is healthy after each route's group. Without Redis, so that every accepted write
 * happens inside its request and row counts are exact.
 */

const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
/** better-auth endpoints the fuzz posts to without a session (sign-out would end the world's). */
const AUTH_PATHS = ["/api/auth/sign-in/email", "/api/auth/sign-up/email", "/api/auth/no-such-action"];

describe("fuzz: every route, in process", () => {
  const app = withAppDb({ worker: false });
  const files = discoverRouteFiles();
  const perRoute = Math.ceil(CASES / files.length);
  const total = new Tally();
  let world: World;
  let counts: () => Promise<string>;

  beforeAll(async () => {
    world = await buildWorld(app.db());
    counts = await rowCounter(app.db());
  }, 120_000);

  afterAll(() => {
    console.log(total.toString(`fuzz (seed ${FUZZ_SEED}, in process)`));
  });

  function toRequest(
    route: string,
    spec: RouteSpec,
    c: FuzzCase,
    i: number,
  ): { req: Request; params: Record<string, unknown> } {
    const params: Record<string, string> = {};
    for (const [name, kind] of Object.entries(spec.params ?? {}))
      params[name] = c.params[name] === "$real" ? world.ids[kind] : c.params[name];
    let path: string;
    try {
      path =
        spec.auth === "auth" && c.method === "POST"
          ? AUTH_PATHS[i % AUTH_PATHS.length]
          : routePath(route, spec, params);
    } catch {
      path = route; // a lone surrogate cannot be percent-encoded: the handler reads ctx.params anyway
    }
    const url = new URL(path, ORIGIN);
    for (const [k, v] of c.query) url.searchParams.append(k, v);
    const headers = new Headers({ host: new URL(ORIGIN).host });
    if (c.method !== "GET" && c.method !== "HEAD") headers.set("origin", ORIGIN);
    if (c.contentType) headers.set("content-type", c.contentType);
    const session =
      spec.auth === "auth" ? null : c.credential === "viewer" ? world.sessions.viewer : world.sessions.owner;
    if (c.credential === "wrongKey") headers.set("authorization", "Bearer rl_fuzz_wrong_key_000000000000000000");
    else if (
      c.credential === "owner" &&
      (spec.auth === "key" || (spec.auth !== "member" && spec.auth !== "user" && i % 2 === 0))
    )
      headers.set("authorization", `Bearer ${world.key}`);
    else if ((c.credential === "owner" || c.credential === "viewer") && session)
      headers.set(
        "cookie",
        c.workspaceCookie === null ? session : `runlens_workspace=${c.workspaceCookie}; ${session}`,
      );
    const catchAll = Object.keys(params).length === 0 && route.includes("[...");
    const ctxParams = catchAll
      ? { [route.match(/\[\.\.\.([^\]]+)\]/)?.[1] ?? "path"]: url.pathname.split("/").slice(2) }
      : params;
    const req = new Request(url, {
      method: c.method,
      headers,
      body: c.body && c.method !== "GET" && c.method !== "HEAD" ? (c.body as Uint8Array<ArrayBuffer>) : undefined,
    });
    return { req, params: ctxParams };
  }

  async function answer(
    handler: (req: Request, ctx: unknown) => Promise<Response> | Response,
    req: Request,
    params: unknown,
  ): Promise<Outcome> {
    const result = await withinBound(
      (async () => {
        const res = await handler(req, { params: Promise.resolve(params) });
        const contentType = res.headers.get("content-type") ?? "";
        if (contentType.includes("event-stream")) {
          await res.body?.cancel();
          return { status: res.status, contentType, text: "" };
        }
        return { status: res.status, contentType, text: await res.text() };
      })(),
    );
    return result;
  }

  for (const file of files) {
    it(
      `${file.route}: no 5xx, no hang, the error format, nothing written when refused`,
      async () => {
        const spec = API_ROUTES[file.route];
        expect(spec, `${file.route} has no entry in tests/helpers/api-routes.ts`).toBeDefined();
        const module = await loadRoute(file.file);
        const tally = new Tally();
        const failures: string[] = [];
        let before = await counts();
        const cases = casesFor(spec, file.route, FUZZ_SEED, perRoute);
        for (const [i, c] of cases.entries()) {
          const { req, params } = toRequest(file.route, spec, c, i);
          const handler = module[c.method === "HEAD" && !module.HEAD ? "GET" : c.method];
          if (!handler) {
            failures.push(`${c.method} ${file.route}: no handler exported (Next would answer an empty 405)`);
            continue;
          }
          const outcome = await answer(handler as never, req, params);
          tally.add(c.classes, outcome === "hang" ? null : outcome.status);
          let problem = problemWith(outcome, { errorFormat: !spec.foreignErrorFormat && c.method !== "HEAD" });
          const after = await counts();
          if (!problem && outcome !== "hang" && outcome.status >= 400 && after !== before)
            problem = `${outcome.status}, yet rows changed: ${before} -> ${after}`;
          before = after;
          if (problem && failures.length < 20)
            failures.push(
              `${c.method} ${req.url} [${c.classes.join(", ")}] body ${c.body ? Buffer.from(c.body.slice(0, 200)).toString() : "-"}: ${problem}`,
            );
          else if (problem) failures.push("…");
        }
        const healthy = await health(new Request(`${ORIGIN}/api/health`));
        expect(healthy.status, "GET /api/health after the group").toBe(200);
        total.merge(tally);
        expect(failures).toEqual([]);
      },
      perRouteTimeout(),
    );
  }
});

function perRouteTimeout(): number {
  return Math.max(120_000, HANG_MS * 4);
}
