import type { z } from "zod";
import type { ApiKeyPrincipal } from "../auth/api-keys.ts";
import type { Permission } from "../auth/roles.ts";
import { type ApiError, zodDetails } from "../errors.ts";
import { logger } from "../log.ts";
import { secureCookies } from "./edge.ts";
import {
  assertSameOrigin,
  type MemberPrincipal,
  type Principal,
  requireApiKey,
  requireKeyOrMember,
  requireMember,
  requireReader,
  requireUser,
  type SignedInUser,
} from "./guards.ts";
import type { RouteContext } from "./input.ts";
import { type BodyLimits, errorResponse, handle, readJson, readQuery } from "./respond.ts";

/**
 * Who may call a route. Credentials always come before the Origin check of a mutation, so a request
 * without them is 401, never a CSRF 403 (lib/http/guards.ts).
 * - public: anyone; a mutation only from this site (first-run setup, accepting an invitation).
 * - key: an API key.
 * - user: a signed-in user, with or without a workspace.
 * - member: a session in the active workspace, with `permission`.
 * - reader: an API key, else a session with `permission`.
 * - keyOrMember: an API key, or a session with `permission` when the request carries a cookie and no key.
 * - handler: the handler authenticates and answers every request itself, for a protocol with a
 *   format of its own (OTLP: an API key, a refusal is a google.rpc.Status in the request's encoding);
 *   route() then answers nothing before it (no query check).
 */
export type Access = "public" | "key" | "user" | "member" | "reader" | "keyOrMember" | "handler";

type PrincipalOf = {
  public: null;
  key: ApiKeyPrincipal;
  user: SignedInUser;
  member: MemberPrincipal;
  reader: Principal;
  keyOrMember: Principal;
  handler: null;
};

/** A body the handler writes itself as a Response (a stream, OTLP's protobuf), of one of these content types. */
export type RawResponse = { raw: readonly string[] };
/** JSON checked against `json`, or a body the handler writes itself (the reviews export: JSON or JSONL). */
export type JsonOrRawResponse = { json: z.ZodType; raw: readonly string[] };
/** What a route answers on success: JSON of a schema, no body ("empty", 204), or a body of its own. */
export type ResponseContract = z.ZodType | "empty" | RawResponse | JsonOrRawResponse;

export type ReplyInit = { status?: number; headers?: Record<string, string>; cookies?: string[] };

/** JSON with a status, headers or cookies of this answer only (201 or 200, a 503 health, a sign-in). */
export class Reply<T> {
  constructor(
    readonly body: T,
    readonly init: ReplyInit,
  ) {}
}
export const reply = <T>(body: T, init: ReplyInit): Reply<T> => new Reply(body, init);

type Json<R> = R extends z.ZodType ? z.input<R> : R extends JsonOrRawResponse ? z.input<R["json"]> : never;
type Result<R> = R extends z.ZodType
  ? Json<R> | Reply<Json<R>>
  : R extends JsonOrRawResponse
    ? Json<R> | Reply<Json<R>> | Response
    : Response;
/** What the handler returns: nothing for "empty". */
type HandlerResult<R> = R extends "empty" ? Promise<void> | void : Promise<Result<R>> | Result<R>;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export type RouteInput<A extends Access, Q, B> = {
  req: Request;
  principal: PrincipalOf[A];
  query: Parsed<Q>;
  body: Parsed<B>;
  /** The path ids (only for a route that declares `notFound`), read after authentication and the body. */
  params: Record<string, string>;
};

export type RouteSpec<A extends Access, R extends ResponseContract, Q, B> = {
  auth: A;
  /** For member, reader and keyOrMember (default workspace.read). */
  permission?: Permission;
  /** The query string (readQuery: each parameter once, the last one wins). */
  query?: Q;
  /** The JSON body (readJson: byte limit, nesting limit, text Postgres cannot store). */
  body?: B;
  limits?: BodyLimits;
  /** The route has path ids: the error a missing one gets (lib/http/input.ts guards them). */
  notFound?: () => ApiError;
  /** Status and headers of a JSON or empty answer (default 200, 204 for "empty"). */
  status?: number;
  headers?: Record<string, string>;
  response: R;
  /** Any failure to authenticate answers this error instead. */
  authFailure?: () => ApiError;
  handler: (input: RouteInput<A, Q, B>) => HandlerResult<R>;
};

/** A route's declaration without its handler: what tests and docs read from an exported handler. */
export type RouteContract = Omit<
  RouteSpec<Access, ResponseContract, z.ZodType | undefined, z.ZodType | undefined>,
  "handler"
>;

export type RouteHandler = ((req: Request, ctx?: RouteContext) => Promise<Response>) & { contract: RouteContract };

/** Responses are checked against their contract outside production: a mismatch is a 500, never silent. */
const CHECK_RESPONSES = process.env.NODE_ENV !== "production";

/**
 * A route handler from its declaration: authenticate, parse the query and the body, call one
 * service (`handler`), answer. Errors are the typed errors of lib/errors.ts in API.md's format
 * (`handle()`: outages 503 with Retry-After, input sanitation). Outside production the answer is
 * checked against `response` before it leaves: JSON is parsed back and validated by its schema, a
 * raw body's content type must be a declared one; a mismatch answers 500
 * `response_contract_violation` with the differences, and is logged.
 */
export function route<
  A extends Access,
  R extends ResponseContract,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<A, R, Q, B>): RouteHandler {
  const { handler, ...contract } = spec;
  const run = handle<RouteContext | undefined>(
    { notFound: spec.notFound, checkQuery: spec.auth !== "handler" },
    async (req: Request, ctx: RouteContext | undefined) => {
      const principal = (await authenticate(spec, req)) as PrincipalOf[A];
      const query = (spec.query ? readQuery(req, spec.query) : undefined) as Parsed<Q>;
      const body = (spec.body ? await readJson(req, spec.body, spec.limits) : undefined) as Parsed<B>;
      const params = spec.notFound && ctx ? ((await ctx.params) as Record<string, string>) : {};
      return answer(contract, req, await handler({ req, principal, query, body, params }));
    },
  );
  return Object.assign((req: Request, ctx?: RouteContext) => run(req, ctx), { contract: contract as RouteContract });
}

async function authenticate(spec: RouteContract, req: Request): Promise<PrincipalOf[Access]> {
  const permission = spec.permission ?? "workspace.read";
  try {
    switch (spec.auth) {
      case "public":
        assertSameOrigin(req);
        return null;
      case "key":
        return await requireApiKey(req);
      case "user":
        return await requireUser(req);
      case "member":
        return await requireMember(req, permission);
      case "reader":
        return await requireReader(req, permission);
      case "keyOrMember":
        return await requireKeyOrMember(req, permission);
      case "handler":
        return null;
    }
  } catch (e) {
    if (spec.authFailure) throw spec.authFailure();
    throw e;
  }
}

const isRaw = (r: ResponseContract): r is RawResponse | JsonOrRawResponse => typeof r === "object" && "raw" in r;

function answer(contract: RouteContract, req: Request, result: unknown): Response {
  const { response } = contract;
  if (result instanceof Response) {
    if (!CHECK_RESPONSES) return result;
    if (!isRaw(response)) return violation(req, "The handler answered a body of its own; its contract declares JSON.");
    const type = result.headers.get("content-type")?.split(";")[0].trim().toLowerCase() ?? "";
    if (!response.raw.includes(type))
      return violation(req, `The answer's content type "${type}" is not one of ${response.raw.join(", ")}.`);
    return result;
  }
  if (response === "empty") return new Response(null, { status: contract.status ?? 204, headers: contract.headers });
  const { body, init } = result instanceof Reply ? result : { body: result, init: {} as ReplyInit };
  const text = JSON.stringify(body);
  if (CHECK_RESPONSES) {
    const schema = "json" in response ? response.json : (response as z.ZodType);
    const checked = schema.safeParse(text === undefined ? undefined : JSON.parse(text));
    if (!checked.success)
      return violation(req, "The answer does not match its response schema.", zodDetails(checked.error));
  }
  const headers = new Headers({ ...contract.headers, ...init.headers, "content-type": "application/json" });
  for (const cookie of init.cookies ?? []) headers.append("set-cookie", cookie);
  const res = new Response(text, { status: init.status ?? contract.status ?? 200, headers });
  return init.cookies?.length ? secureCookies(req, res) : res;
}

function violation(req: Request, message: string, details?: { path: string; message: string }[]): Response {
  logger("api").error({ method: req.method, path: new URL(req.url).pathname, details }, message);
  return errorResponse(500, "response_contract_violation", message, details);
}
