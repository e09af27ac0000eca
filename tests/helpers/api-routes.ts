import fs from "node:fs";
import path from "node:path";
import type { Permission } from "@/lib/auth/roles";
import { ROUTE_METHODS, type RouteMethod } from "@/lib/http/methods";

/**
 * Every route file under app/api, found on disk, and what each one promises: who may call it and
 * with which permission, its path ids, and the answer an authorized caller gets to the access
 * matrix's request. tests/integration/access-matrix.test.ts and the fuzz suite (tests/fuzz) walk
 * this table; both fail when a route file has no entry, so a new route cannot be forgotten.
 */

/**
 * public: anyone. key: an API key only. reader: an API key, or a session with the permission.
 * member: a session with the permission (a key is not looked at). user: any session, no workspace
 * needed. keyOrMember: a key, or a session with the permission when the request carries a cookie.
 * auth: better-auth's own endpoints. unknown: the /api catch-all.
 */
export type RouteAuth = "public" | "key" | "reader" | "member" | "user" | "keyOrMember" | "auth" | "unknown";

/** The kind of row a path id names (the world of tests/helpers/world.ts has one of each). */
export type IdKind = "execution" | "span" | "thread" | "review" | "card" | "apiKey" | "invitation" | "member" | "batch";

export type MethodSpec = {
  permission?: Permission;
  /**
   * The status an authorized caller gets to the matrix request: GET with the world's real ids and
   * `query`; other methods with ids no row has and the body `{"matrix": true}` (so nothing is
   * written: the answer is a validation error or a not-found).
   */
  ok: number;
  query?: string;
  /** A well-formed body the fuzz suite mutates (placeholders `$agent`, `$execution`, … from the world). */
  body?: unknown;
  /** Succeeding is expensive (sample data): the fuzz suite calls it only with a role that may not. */
  costly?: boolean;
  /** The concrete path for this method of a catch-all route. */
  path?: string;
};

export type RouteSpec = {
  auth: RouteAuth;
  /** The concrete path the requests use for a catch-all route. */
  concrete?: string;
  params?: Record<string, IdKind>;
  methods: Partial<Record<RouteMethod, MethodSpec>>;
  /** Query parameters the route reads, for the fuzz suite. */
  query?: string[];
  /** Requests carry this content type (default application/json). */
  contentType?: string;
  /**
   * Errors in another format than API.md's: OTLP answers with a google.rpc.Status as its
   * specification asks, better-auth with its own `{code, message}`.
   */
  foreignErrorFormat?: boolean;
};

const PAGE = ["limit", "cursor"];
const OTEL_TRACE = "5b8efff798038103d269b633813fc60c";
const OTEL_SPAN = "eee19b7ec3c1b174";
const TRACE = {
  id: "$span",
  executionId: "$execution",
  type: "agent_execution",
  name: "fuzz",
  startedAt: "2026-01-01T00:00:00.000Z",
  agent: "$agent",
  input: { q: "hello" },
};

export const API_ROUTES: Record<string, RouteSpec> = {
  "/api/[...path]": {
    auth: "unknown",
    concrete: "/api/v1/no-such-endpoint",
    methods: { GET: { ok: 404 }, POST: { ok: 404 }, PUT: { ok: 404 }, PATCH: { ok: 404 }, DELETE: { ok: 404 } },
  },
  "/api/auth/[...all]": {
    auth: "auth",
    concrete: "/api/auth/get-session",
    foreignErrorFormat: true,
    methods: {
      GET: { ok: 200 },
      // An unknown better-auth path: sign-in is rate limited, sign-out would end the world's sessions.
      POST: { ok: 404, path: "/api/auth/no-such-action", body: { email: "x@example.com", password: "wrong-password" } },
    },
  },
  "/api/health": { auth: "public", methods: { GET: { ok: 200 } } },
  "/api/otel/v1/logs": {
    auth: "key",
    foreignErrorFormat: true,
    methods: {
      POST: {
        ok: 200,
        body: {
          resourceLogs: [
            {
              scopeLogs: [
                {
                  logRecords: [
                    {
                      timeUnixNano: "1767225600000000000",
                      traceId: OTEL_TRACE,
                      spanId: OTEL_SPAN,
                      body: { stringValue: "hello" },
                      attributes: [{ key: "event.name", value: { stringValue: "gen_ai.user.message" } }],
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
    },
  },
  "/api/otel/v1/traces": {
    auth: "key",
    foreignErrorFormat: true,
    methods: {
      POST: {
        ok: 200,
        body: {
          resourceSpans: [
            {
              resource: { attributes: [{ key: "service.name", value: { stringValue: "fuzz" } }] },
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId: OTEL_TRACE,
                      spanId: OTEL_SPAN,
                      parentSpanId: "",
                      name: "fuzz",
                      kind: 1,
                      startTimeUnixNano: "1767225600000000000",
                      endTimeUnixNano: "1767225601000000000",
                      attributes: [{ key: "gen_ai.request.model", value: { stringValue: "m" } }],
                      events: [{ name: "exception", timeUnixNano: "1767225600500000000", attributes: [] }],
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
    },
  },
  "/api/v1/agents": { auth: "reader", methods: { GET: { ok: 200 } } },
  "/api/v1/api-keys/[id]": {
    auth: "member",
    params: { id: "apiKey" },
    methods: { DELETE: { ok: 404, permission: "apiKeys.manage" } },
  },
  "/api/v1/api-keys": {
    auth: "member",
    methods: {
      GET: { ok: 200, permission: "apiKeys.manage" },
      POST: { ok: 400, permission: "apiKeys.manage", body: { label: "fuzz" } },
    },
  },
  "/api/v1/demo": { auth: "member", methods: { POST: { ok: 201, permission: "ingest.operate", costly: true } } },
  "/api/v1/ingest/cloudflare": {
    auth: "key",
    methods: {
      POST: {
        ok: 400,
        body: [{ scriptName: "fuzz", eventTimestamp: 1767225600000, outcome: "ok", logs: [], exceptions: [] }],
      },
    },
  },
  "/api/v1/ingest/output": {
    auth: "keyOrMember",
    query: ["workflowId"],
    methods: {
      POST: {
        ok: 400,
        permission: "ingest.operate",
        body: { id: "$execution", kind: "workflow", name: "fuzz", startedAt: 1767225600000, children: [] },
      },
    },
  },
  "/api/v1/invitations/[id]": {
    auth: "member",
    params: { id: "invitation" },
    methods: { DELETE: { ok: 404, permission: "members.manage" } },
  },
  "/api/v1/invitations/accept": {
    auth: "public",
    methods: { POST: { ok: 400, body: { token: "fuzz", name: "Fuzz", password: "a-long-password-1" } } },
  },
  "/api/v1/invitations": {
    auth: "member",
    methods: {
      GET: { ok: 200, permission: "members.manage" },
      POST: { ok: 400, permission: "members.manage", body: { email: "fuzz@example.com", role: "viewer" } },
    },
  },
  "/api/v1/live": { auth: "member", methods: { GET: { ok: 200 } } },
  "/api/v1/me": { auth: "member", methods: { GET: { ok: 200 } } },
  "/api/v1/members/[userId]": {
    auth: "member",
    params: { userId: "member" },
    methods: {
      PATCH: { ok: 400, permission: "members.manage", body: { role: "viewer" } },
      DELETE: { ok: 404, permission: "members.manage" },
    },
  },
  "/api/v1/members": { auth: "member", methods: { GET: { ok: 200 } } },
  "/api/v1/metrics/cards/[id]": {
    auth: "reader",
    params: { id: "card" },
    methods: {
      PATCH: { ok: 404, permission: "metrics.edit", body: { title: "fuzz", query: { event: "$event" } } },
      DELETE: { ok: 404, permission: "metrics.edit" },
    },
  },
  "/api/v1/metrics/cards/layout": {
    auth: "reader",
    methods: {
      PUT: {
        ok: 400,
        permission: "metrics.edit",
        body: { agent: "$agent", layout: [{ id: "$card", x: 0, y: 0, w: 4, h: 3 }] },
      },
    },
  },
  "/api/v1/metrics/cards": {
    auth: "reader",
    query: ["agent"],
    methods: {
      GET: { ok: 200, query: "agent=$agent" },
      POST: {
        ok: 400,
        permission: "metrics.edit",
        body: { agent: "$agent", title: "fuzz", type: "line", query: { event: "$event", range: "7d" } },
      },
    },
  },
  "/api/v1/metrics/catalog": { auth: "reader", query: ["agent"], methods: { GET: { ok: 200 } } },
  "/api/v1/metrics/events": {
    auth: "reader",
    query: ["agent", "names", "limit"],
    methods: { GET: { ok: 200, query: "agent=$agent" } },
  },
  "/api/v1/metrics/query": {
    auth: "reader",
    methods: {
      POST: {
        ok: 400,
        body: {
          agent: "$agent",
          event: "$event",
          aggregation: "count",
          interval: "day",
          from: "2026-01-01T00:00:00.000Z",
          to: "2026-01-08T00:00:00.000Z",
          timezone: "UTC",
        },
      },
    },
  },
  "/api/v1/observability/executions/[id]/chain": {
    auth: "reader",
    params: { id: "execution" },
    methods: { GET: { ok: 200 } },
  },
  "/api/v1/observability/executions/[id]/messages": {
    auth: "reader",
    params: { id: "execution" },
    methods: { GET: { ok: 200 } },
  },
  "/api/v1/observability/executions/[id]/outline": {
    auth: "reader",
    params: { id: "execution" },
    query: ["offset", "limit"],
    methods: { GET: { ok: 200 } },
  },
  "/api/v1/observability/executions/[id]": {
    auth: "reader",
    params: { id: "execution" },
    methods: { GET: { ok: 200 } },
  },
  "/api/v1/observability/executions/[id]/spans/[spanId]": {
    auth: "reader",
    params: { id: "execution", spanId: "span" },
    methods: { GET: { ok: 200 } },
  },
  "/api/v1/runtime/v1/observability/events": {
    auth: "key",
    methods: {
      POST: {
        ok: 400,
        body: { events: [{ name: "$event", agent: "$agent", properties: { plan: "pro", n: 1 }, threadId: "$thread" }] },
      },
    },
  },
  "/api/v1/runtime/v1/observability/executions/[id]/details": {
    auth: "reader",
    params: { id: "execution" },
    query: ["offset", "limit"],
    methods: { GET: { ok: 200 } },
  },
  "/api/v1/runtime/v1/observability/executions/[id]": {
    auth: "reader",
    params: { id: "execution" },
    methods: { DELETE: { ok: 404, permission: "data.delete" } },
  },
  "/api/v1/runtime/v1/observability/erasure": {
    auth: "reader",
    methods: {
      // Identifiers nothing has: fuzzed variants erase nothing of the world other cases read.
      POST: { ok: 400, permission: "data.delete", body: { threadId: "fuzz-no-such-thread", agent: "$agent" } },
    },
  },
  "/api/v1/runtime/v1/observability/executions": {
    auth: "reader",
    query: [...PAGE, "agent", "status", "threadId", "sessionId", "companyId", "source", "from", "to", "q"],
    methods: { GET: { ok: 200 } },
  },
  "/api/v1/runtime/v1/observability/threads/[threadId]/messages": {
    auth: "reader",
    params: { threadId: "thread" },
    methods: { GET: { ok: 200 } },
  },
  "/api/v1/runtime/v1/observability/threads": {
    auth: "reader",
    query: [...PAGE, "agent", "q"],
    methods: { GET: { ok: 200 } },
  },
  "/api/v1/runtime/v1/observability/traces": {
    auth: "key",
    methods: { POST: { ok: 400, body: { traces: [TRACE] } } },
  },
  "/api/v1/runtime/v1/reviews/[id]": {
    auth: "reader",
    params: { id: "review" },
    methods: {
      GET: { ok: 200 },
      PATCH: {
        ok: 404,
        permission: "reviews.write",
        body: { status: "resolved", tags: ["fuzz"], comment: "long enough" },
      },
      DELETE: { ok: 404, permission: "reviews.write" },
    },
  },
  "/api/v1/runtime/v1/reviews/check": {
    auth: "reader",
    query: ["executionId"],
    methods: { GET: { ok: 200, query: "executionId=$execution" } },
  },
  "/api/v1/runtime/v1/reviews/export": {
    auth: "reader",
    query: ["agentId", "status", "rating", "format"],
    methods: { GET: { ok: 200 } },
  },
  "/api/v1/runtime/v1/reviews": {
    auth: "reader",
    query: [
      "agentId",
      "status",
      "rating",
      "priority",
      "tag",
      "assigneeId",
      "dateFrom",
      "dateTo",
      "search",
      "sort",
      ...PAGE,
    ],
    methods: {
      GET: { ok: 200 },
      POST: {
        ok: 400,
        permission: "reviews.write",
        body: {
          executionId: "$execution",
          agentId: "$agent",
          rating: "bad",
          comment: "a comment long enough",
          priority: "high",
          tags: ["fuzz"],
        },
      },
    },
  },
  "/api/v1/runtime/v1/reviews/stats": { auth: "reader", query: ["agentId"], methods: { GET: { ok: 200 } } },
  "/api/v1/settings/ingestion/failed/[id]/retry": {
    auth: "member",
    params: { id: "batch" },
    methods: { POST: { ok: 404, permission: "ingest.operate" } },
  },
  "/api/v1/settings/ingestion": { auth: "member", methods: { GET: { ok: 200 } } },
  "/api/v1/overview": {
    auth: "reader",
    query: ["from", "to", "agent", "timezone", "interval"],
    methods: { GET: { ok: 200, query: "timezone=UTC" } },
  },
  "/api/v1/settings/models": {
    auth: "reader",
    methods: {
      GET: { ok: 200 },
      PUT: {
        ok: 400,
        permission: "workspace.manage",
        body: { prices: [{ model: "gpt-4o*", startsAt: "2025-01-01", input: 2.5, output: 10, cachedInput: 1.25 }] },
      },
    },
  },
  "/api/v1/settings/models/recompute": {
    auth: "reader",
    methods: { POST: { ok: 202, permission: "workspace.manage" } },
  },
  "/api/v1/settings/audit": { auth: "reader", methods: { GET: { ok: 200, permission: "data.delete" } } },
  "/api/v1/settings/data": {
    auth: "reader",
    query: ["usage"],
    methods: {
      GET: { ok: 200, query: "usage=fresh" },
      PUT: {
        ok: 400,
        permission: "workspace.manage",
        body: { tracesRetentionDays: 30, eventsRetentionDays: null, storageBudgetBytes: 50_000_000_000 },
      },
    },
  },
  "/api/v1/settings/redaction": {
    auth: "member",
    methods: {
      GET: { ok: 200 },
      PUT: { ok: 400, permission: "workspace.manage", body: { keys: ["password", "token"] } },
    },
  },
  "/api/v1/setup": {
    auth: "public",
    methods: {
      GET: { ok: 200 },
      POST: {
        ok: 400,
        body: { name: "Fuzz", email: "fuzz@example.com", password: "a-long-password-1", workspaceName: "Fuzz" },
      },
    },
  },
  "/api/v1/workspaces/active": {
    auth: "user",
    methods: { PUT: { ok: 400, body: { workspaceId: "$workspace" } } },
  },
  "/api/v1/workspaces": {
    auth: "user",
    methods: { GET: { ok: 200 }, POST: { ok: 400, body: { name: "Fuzz" } } },
  },
};

export type RouteFile = {
  /** The route as written in API_ROUTES: "/api/v1/members/[userId]". */
  route: string;
  file: string;
  params: string[];
};

const APP = path.resolve(import.meta.dirname, "../../app");

/** Every route.ts under app/api, from the file system. */
export function discoverRouteFiles(): RouteFile[] {
  const out: RouteFile[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "route.ts") {
        const route = `/${path.relative(APP, dir).split(path.sep).join("/")}`;
        const params = [...route.matchAll(/\[(?:\.\.\.)?([^\]]+)\]/g)].map((m) => m[1]);
        out.push({ route, file: p, params });
      }
    }
  };
  walk(path.join(APP, "api"));
  return out.sort((a, b) => a.route.localeCompare(b.route));
}

export type RouteHandler = (
  req: Request,
  ctx?: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response> | Response;

/** The route module's handlers by method (OPTIONS included). */
export async function loadRoute(file: string): Promise<Record<string, RouteHandler | undefined>> {
  return (await import(file)) as Record<string, RouteHandler | undefined>;
}

/** The methods a route does not serve (HEAD is served with GET). */
export function unservedMethods(spec: RouteSpec): RouteMethod[] {
  return ROUTE_METHODS.filter((m) => !(m in spec.methods) && !(m === "HEAD" && "GET" in spec.methods));
}

/** The URL path of a route with its params filled in (percent-encoded as a client would). */
export function routePath(
  route: string,
  spec: RouteSpec,
  params: Record<string, string>,
  method?: MethodSpec,
  encode: (segment: string) => string = encodeURIComponent,
): string {
  if (method?.path) return method.path;
  if (spec.concrete) return spec.concrete;
  return route.replace(/\[([^\]]+)\]/g, (_, name: string) => encode(params[name] ?? ""));
}
