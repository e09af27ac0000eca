import { ZodError, type z } from "zod";
import type { ApiErrorBody, FieldIssue } from "../contracts/common.ts";
import { ApiError, ServiceUnavailableError, unavailableError, ValidationError, zodDetails } from "../errors.ts";
import { logger } from "../log.ts";
import {
  assertStorableQuery,
  guardParams,
  type RouteContext,
  UNSTORABLE_TEXT_MESSAGE,
  unstorableTextPath,
} from "./input.ts";
import { assertJsonDepth } from "./json-depth.ts";

export function errorResponse(
  status: number,
  code: string,
  message: string,
  details?: FieldIssue[],
  headers?: HeadersInit,
): Response {
  const body: ApiErrorBody = { error: details ? { code, message, details } : { code, message } };
  return Response.json(body, { status, headers });
}

/** The error format for a typed error; a 503 says when to retry. */
export function apiErrorResponse(e: ApiError): Response {
  const headers = e instanceof ServiceUnavailableError ? { "retry-after": String(e.retryAfterSeconds) } : undefined;
  return errorResponse(e.status, e.code, e.message, e.details, headers);
}

export function validationError(error: ZodError): ValidationError {
  const details = zodDetails(error);
  const fields = [...new Set(details.map((d) => d.path))].slice(0, 5).join(", ");
  return new ValidationError(`Invalid request: check ${fields}.`, details);
}

export type BodyLimits = {
  /** 413 past this many bytes (default 1 MB). */
  maxBytes?: number;
  /**
   * Ingest bodies keep strings Postgres cannot store: ingest refuses such ids per item and stores
   * other such strings with U+FFFD (lib/ingest/serialize.ts). Every other body is refused (400).
   */
  unstorableText?: "refuse" | "ingest";
};

/**
 * Parses a JSON body and validates it; throws ApiError on any failure. Before parsing: the byte
 * limit (413) and the nesting limit (400 `too_deep`); after: strings Postgres cannot store (400).
 */
export async function readJson<S extends z.ZodType>(
  req: Request,
  schema: S,
  { maxBytes = 1_000_000, unstorableText = "refuse" }: BodyLimits = {},
): Promise<z.infer<S>> {
  const bytes = await readBodyBytes(req, maxBytes);
  assertJsonDepth(bytes);
  let parsed: unknown;
  try {
    parsed = bytes.byteLength === 0 ? undefined : JSON.parse(utf8(bytes));
  } catch (e) {
    throw new ApiError(400, "invalid_json", `The request body is not valid JSON: ${(e as Error).message}`);
  }
  const unstorable = unstorableText === "refuse" ? unstorableTextPath(parsed) : null;
  if (unstorable !== null)
    throw new ValidationError(`Invalid request: check ${unstorable}.`, [
      { path: unstorable, message: UNSTORABLE_TEXT_MESSAGE },
    ]);
  const result = schema.safeParse(parsed);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

/** The query string validated by `schema` (each parameter once; the last one wins). */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  return schema.parse(Object.fromEntries(new URL(req.url).searchParams));
}

const utf8 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"); // a view, not a copy

/** The raw body, refused with 413 past `maxBytes` (declared or actually read). */
export async function readBodyBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, "payload_too_large", `The request body exceeds ${Math.round(maxBytes / 1_000_000)} MB.`);
}

type Handler<A extends unknown[]> = (...args: A) => Promise<Response>;

export type HandleOptions = {
  /** The error a path id gets when it names nothing (also given to a path id Postgres cannot store). */
  notFound?: () => ApiError;
  /** False for a handler that answers every request itself (OTLP): no query check before it. */
  checkQuery?: boolean;
};

/**
 * Wraps a route handler: typed errors become the JSON error format, an unavailable Postgres or Redis
 * a 503 with Retry-After; anything else is a logged 500. Input sanitation (lib/http/input.ts): a
 * query parameter Postgres cannot store is a 400; a route with path ids names the error it gives
 * for a missing id (`handle({ notFound }, fn)`), which a path id Postgres cannot store gets too.
 */
export function handle<A extends [] | [Request]>(fn: Handler<A>): Handler<A>;
export function handle<C extends RouteContext | undefined>(
  options: HandleOptions,
  fn: Handler<[Request, C]>,
): Handler<[Request, C]>;
export function handle(
  first: Handler<never[]> | HandleOptions,
  second?: Handler<never[]>,
): Handler<[Request?, RouteContext?]> {
  const [options, fn] = (typeof first === "function" ? [{}, first] : [first, second]) as [
    HandleOptions,
    Handler<[Request?, RouteContext?]>,
  ];
  return async (req?: Request, ctx?: RouteContext): Promise<Response> => {
    try {
      if (req && options.checkQuery !== false) assertStorableQuery(new URL(req.url));
      return await fn(req, ctx && options.notFound ? guardParams(ctx, options.notFound) : ctx);
    } catch (e) {
      return errorAnswer(e);
    }
  };
}

/** The answer to an error thrown by a route: its typed error, a 503 for an outage, else a logged 500. */
export function errorAnswer(e: unknown): Response {
  if (e instanceof ApiError) return apiErrorResponse(e);
  if (e instanceof ZodError) return apiErrorResponse(validationError(e));
  const unavailable = unavailableError(e);
  if (unavailable) {
    logger("api").error({ reason: (e as Error).message }, unavailable.message);
    return apiErrorResponse(unavailable);
  }
  logger("api").error({ err: e }, "unhandled error");
  return errorResponse(500, "internal_error", "Something went wrong on the server. It has been logged.");
}
