import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { resetAuth } from "@/lib/auth/better-auth";
import { installDb } from "@/lib/db";
import type { RouteMethod } from "@/lib/http/methods";
import type { RouteContract, RouteHandler } from "@/lib/http/route";
import { recordUnstorable } from "@/lib/ingest/poison";
import { ingestOutputTrace } from "@/lib/ingest/sources/output/receive";
import { ingestTraces } from "@/lib/ingest/sources/sdk/receive";
import { createInvitation } from "@/lib/workspaces/service";
import { Executions } from "@/sdk/src/executions";
import { API_ROUTES, discoverRouteFiles, loadRoute, type RouteFile, routePath } from "../helpers/api-routes";
import { request, withAppDb } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { buildWorld, fillPlaceholders, fillQuery, type World } from "../helpers/world";

/**
 * Every route file under app/api (found on disk) and every method it serves, called once with valid
 * credentials and a valid request: the answer is a success and matches the response contract the
 * route declares with route() (lib/http/route.ts): its schema for JSON, a declared content type
 * for a body of its own, nothing for "empty". A served method declared without route() fails the
 * suite; only the routes in UNDECLARED are exempt. A method is called with the query and body of
 * its entry in tests/helpers/api-routes.ts unless the table below says otherwise.
 */

/** Route files route() does not fit, and why. */
const UNDECLARED: Record<string, string> = {
  "/api/auth/[...all]": "better-auth's own handler: its endpoints, bodies and errors are better-auth's, not this API's",
  "/api/[...path]": "the catch-all of unknown paths: every answer is an error (404, or 400 for a malformed path)",
};

type Credential = "none" | "key" | "owner";

/** One valid request of an endpoint where the route table's is not; `prepare` makes what it needs first. */
type Call = {
  as?: Credential;
  query?: string;
  body?: unknown;
  /** Path ids (default: the world's row of each kind the route names). */
  params?: Record<string, string>;
  prepare?: () => Promise<Partial<Call> | undefined>;
  /** Called on a database without users (first-run setup), in its own test below. */
  firstRun?: true;
};

const OUTPUT_RUN = {
  id: "contract-output-run",
  kind: "workflow",
  name: "contract",
  startedAt: 1767225600000,
  endedAt: 1767225601000,
  children: [{ id: "step-1", kind: "step", name: "fetch", startedAt: 1767225600100, endedAt: 1767225600200 }],
};

function calls(world: World, app: ReturnType<typeof withAppDb>): Record<string, Call> {
  const trace = (id: string, executionId: string) => ({
    id,
    executionId,
    type: "agent_execution",
    name: "contract",
    agent: world.agent,
    startedAt: "2026-01-02T00:00:00.000Z",
    endedAt: "2026-01-02T00:00:01.000Z",
  });
  return {
    "POST /api/v1/ingest/output": { body: OUTPUT_RUN, query: "workflowId=contract-wf" },
    // An execution of its own to delete (the world's is reviewed, and other DELETEs use it).
    "DELETE /api/v1/runtime/v1/observability/executions/[id]": {
      prepare: async () => {
        await ingestTraces(app.db(), world.workspaceId, [trace("contract-doomed-root", "contract-doomed")]);
        await app.drained();
        return { params: { id: "contract-doomed" } };
      },
    },
    "POST /api/v1/runtime/v1/observability/erasure": { body: { threadId: "contract-no-such-thread" } },
    "POST /api/v1/invitations/accept": {
      as: "none",
      prepare: async () => {
        const owner = await app.db().prisma.member.findFirstOrThrow({ where: { role: "owner" } });
        const { token } = await createInvitation(app.db(), { userId: owner.userId, role: "owner" }, world.workspaceId, {
          email: "accepting@contract.test",
          role: "viewer",
        });
        return { body: { token, name: "Accepting", password: "a-long-password-1" } };
      },
    },
    "GET /api/v1/metrics/catalog": { query: "agent=$agent" },
    "GET /api/v1/observability/executions/[id]/chain": {
      // The Output run imported above and a second one of its workflow: a chain of two.
      prepare: async () => {
        const next = { ...OUTPUT_RUN, id: "contract-output-run-2", startedAt: OUTPUT_RUN.endedAt + 1, children: [] };
        await ingestOutputTrace(app.db(), world.workspaceId, next, { workflowId: "contract-wf" });
        await app.drained();
        return { params: { id: OUTPUT_RUN.id } };
      },
    },
    "GET /api/v1/runtime/v1/observability/executions": { query: "source=sdk&limit=5" },
    "POST /api/v1/runtime/v1/observability/traces": {
      body: { traces: [trace("contract-root", "contract-exec")] },
    },
    "GET /api/v1/runtime/v1/reviews/export": { query: "status=open" },
    "POST /api/v1/runtime/v1/reviews": {
      prepare: async () => {
        await ingestTraces(app.db(), world.workspaceId, [trace("review-root", "review-exec")]);
        await app.drained();
        return {
          body: { executionId: "review-exec", agentId: world.agent, rating: "good", comment: "A fine answer here." },
        };
      },
    },
    "POST /api/v1/settings/ingestion/failed/[id]/retry": {
      as: "owner",
      prepare: async () => {
        const event = {
          id: "contract-failed-event",
          agent: world.agent,
          name: world.event,
          properties: { n: 1 },
          timestamp: "2026-01-02T00:00:00.000Z",
          thread_id: null,
          execution_id: null,
        };
        const job = { kind: "events" as const, workspaceId: world.workspaceId, events: [event] };
        await recordUnstorable(app.db(), [{ itemId: event.id, kind: "event", error: "refused once", job }]);
        const failure = await app.db().prisma.ingestFailure.findFirstOrThrow({ where: { itemId: event.id } });
        return { params: { id: failure.id } };
      },
    },
    "POST /api/v1/setup": { firstRun: true },
  };
}

/** Who calls by default: a key where one is accepted, else the owner's session. */
function defaultCredential(route: string): Credential {
  const auth = API_ROUTES[route]?.auth;
  if (auth === "key" || auth === "reader" || auth === "keyOrMember") return "key";
  if (auth === "member" || auth === "user") return "owner";
  return "none";
}

const contractOf = (handler: unknown): RouteContract | undefined => (handler as Partial<RouteHandler>)?.contract;

/** Why an answer breaks its contract, or null. */
async function breach(res: Response, contract: RouteContract): Promise<string | null> {
  const type = res.headers.get("content-type")?.split(";")[0].trim() ?? "";
  if (!res.ok) return `${res.status} ${await res.text()}`;
  const { response } = contract;
  if (response === "empty") {
    const text = await res.text();
    return res.status === 204 && text === "" ? null : `${res.status} with a body: ${text.slice(0, 200)}`;
  }
  const schema: z.ZodType | undefined =
    typeof response === "object" && "raw" in response ? ("json" in response ? response.json : undefined) : response;
  const raw = typeof response === "object" && "raw" in response ? response.raw : [];
  if (schema && type === "application/json") {
    const checked = schema.safeParse(await res.json());
    return checked.success ? null : `does not match its schema: ${JSON.stringify(checked.error.issues.slice(0, 5))}`;
  }
  await res.body?.cancel();
  return raw.includes(type) ? null : `content type "${type}", declared: ${schema ? "application/json, " : ""}${raw}`;
}

describe("API contracts: every endpoint once, its answer checked against its response schema", () => {
  const app = withAppDb();
  const files = discoverRouteFiles();
  let world: World;
  let table: Record<string, Call>;

  beforeAll(async () => {
    world = await buildWorld(app.db());
    table = calls(world, app);
  }, 120_000);

  /** The methods a route file serves, as the route table says (the access matrix holds it to the files). */
  const served = (file: RouteFile) => Object.keys(API_ROUTES[file.route]?.methods ?? {}) as RouteMethod[];

  it("declares every served method of every route file with route() and a response contract", async () => {
    expect(files.length).toBeGreaterThan(40);
    const missing: string[] = [];
    for (const file of files) {
      if (UNDECLARED[file.route]) continue;
      const module = await loadRoute(file.file);
      if (served(file).length === 0) missing.push(`${file.route}: no entry in tests/helpers/api-routes.ts`);
      for (const method of served(file)) {
        const contract = contractOf(module[method]);
        if (!contract?.response) missing.push(`${method} ${file.route}: not declared with route() and a response`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(table).filter((k) => !files.some((f) => k.endsWith(` ${f.route}`)))).toEqual([]);
  });

  async function callOnce(file: RouteFile, method: RouteMethod): Promise<string | null> {
    const spec = API_ROUTES[file.route];
    const key = `${method} ${file.route}`;
    const call = { ...table[key], ...(await table[key]?.prepare?.()) };
    const params: Record<string, string> = {};
    for (const [name, kind] of Object.entries(spec.params ?? {})) params[name] = world.ids[kind];
    Object.assign(params, call.params);
    const m = spec.methods[method];
    const path = `${routePath(file.route, spec, params, m)}${fillQuery(call.query ?? m?.query, world)}`;
    const body = call.body ?? (method === "GET" || method === "DELETE" ? undefined : (m?.body ?? {}));
    const as = call.as ?? defaultCredential(file.route);
    const req = request(path, {
      method,
      body: body === undefined ? undefined : fillPlaceholders(body, world),
      bearer: as === "key" ? world.key : undefined,
      cookie: as === "owner" ? world.sessions.owner : undefined,
      headers: spec.contentType ? { "content-type": spec.contentType } : undefined,
    });
    const handler = (await loadRoute(file.file))[method] as RouteHandler;
    if (!handler.contract) return `${key}: not declared with route()`;
    const res = await handler(req, { params: Promise.resolve(params) });
    const problem = await breach(res, handler.contract);
    return problem && `${key}: ${problem}`;
  }

  // Deletions last: the other calls use the rows they remove.
  const order = (m: RouteMethod) => (m === "DELETE" ? 1 : 0);
  for (const phase of [0, 1])
    it(`answers each ${phase ? "DELETE" : "method other than DELETE"} as its contract says`, async () => {
      const failures: string[] = [];
      let called = 0;
      for (const file of files) {
        if (UNDECLARED[file.route]) continue;
        for (const method of served(file).filter((m) => order(m) === phase)) {
          if (table[`${method} ${file.route}`]?.firstRun) continue;
          const problem = await callOnce(file, method);
          called++;
          if (problem) failures.push(problem);
        }
      }
      expect(failures).toEqual([]);
      expect(called).toBeGreaterThanOrEqual(phase ? 5 : 45);
    }, 180_000);

  it("first-run setup: GET says it is open, POST creates the owner (on a database without users)", async () => {
    const fresh = await createTestDb();
    installDb(fresh);
    resetAuth();
    try {
      const setup = await loadRoute(files.find((f) => f.route === "/api/v1/setup")!.file);
      const post = setup.POST as RouteHandler;
      const res = await post(
        request("/api/v1/setup", {
          body: { name: "First", email: "first@contract.test", password: "first-password-1", workspaceName: "F" },
        }),
      );
      expect(res.status).toBe(201);
      expect(await breach(res, post.contract)).toBeNull();
    } finally {
      installDb(app.db());
      resetAuth();
      await fresh.drop();
    }
  });

  it("can fail: a wrong shape, an undeclared content type or an error answer breaks a real route's contract", async () => {
    const file = files.find((f) => f.route === "/api/v1/runtime/v1/reviews/stats")!;
    const { contract } = (await loadRoute(file.file)).GET as RouteHandler;
    expect(await breach(Response.json({ total: "many" }), contract)).toMatch(/does not match its schema/);
    expect(await breach(new Response("x", { headers: { "content-type": "text/html" } }), contract)).toMatch(
      /content type/,
    );
    const error = Response.json({ error: { code: "x", message: "y" } }, { status: 404 });
    expect(await breach(error, contract)).toMatch(/^404/);
  });

  it("the SDK's list filters are the contract's: it lists executions by source", async () => {
    const list = (await loadRoute(files.find((f) => f.route.endsWith("/observability/executions"))!.file))
      .GET as RouteHandler;
    const executions = new Executions({
      apiUrl: "http://runlens.test",
      apiKey: world.key,
      fetch: (async (url: string | URL | Request) =>
        list(request(String(url).replace("http://runlens.test", ""), { bearer: world.key }))) as typeof fetch,
    });
    const { executions: sdk } = await executions.list({ source: "sdk", limit: 50 });
    const { executions: output } = await executions.list({ source: "output" });
    expect(sdk.length).toBeGreaterThan(0);
    expect(sdk.every((e) => e.source === "sdk")).toBe(true);
    expect(output.every((e) => e.source === "output")).toBe(true);
  });
});
