import { errorResponse } from "./respond.ts";
import { REFUSED_METHOD_HEADER } from "./rewrites.ts";

/**
 * Methods a route file can export (Next's own list, without OPTIONS, which `otherMethods` always
 * answers). Next answers a method a route does not export with an empty 405 and computes OPTIONS
 * from the exports, so every route exports all of them: its own, and these answers for the rest.
 */
export const ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

type Served = Partial<Record<RouteMethod, unknown>>;
/** HEAD is served wherever GET is (Next answers it with the GET handler, without the body). */
type Unserved<S extends Served> = Exclude<RouteMethod, keyof S | (S extends { GET: unknown } ? "HEAD" : never)>;
type Answer = (req: Request) => Response;

/** The Allow header of a route serving `served`. */
export function allowHeader(served: readonly string[]): string {
  const allow = new Set([...served, "OPTIONS"]);
  if (allow.has("GET")) allow.add("HEAD");
  return [...allow].sort().join(", ");
}

/** 405 in the error format, naming the method and the ones this route serves. */
export function methodNotAllowed(method: string, allow: string): Response {
  return errorResponse(
    405,
    "method_not_allowed",
    `${method} is not allowed here; this endpoint serves ${allow}.`,
    undefined,
    { allow },
  );
}

/** OPTIONS: 204 with Allow, or 405 for a method Next cannot route (lib/http/rewrites.ts). */
function options(req: Request, allow: string): Response {
  const refused = req.headers.get(REFUSED_METHOD_HEADER);
  return refused ? methodNotAllowed(refused, allow) : new Response(null, { status: 204, headers: { allow } });
}

/**
 * The handlers a route file exports for the methods it does not serve, and OPTIONS:
 * `export const { OPTIONS, HEAD, PUT, PATCH, DELETE } = otherMethods({ GET, POST });`
 * tests/integration/access-matrix.test.ts checks that every route file exports all of them.
 */
export function otherMethods<S extends Served>(served: S): Record<Unserved<S> | "OPTIONS", Answer> {
  const allow = allowHeader(Object.keys(served));
  const refuse: Answer = (req) => methodNotAllowed(req.method, allow);
  const answers: Record<string, Answer> = {};
  answers.OPTIONS = (req) => options(req, allow);
  for (const method of ROUTE_METHODS) {
    if (method in served || (method === "HEAD" && "GET" in served)) continue;
    answers[method] = refuse;
  }
  return answers as Record<Unserved<S> | "OPTIONS", Answer>;
}
