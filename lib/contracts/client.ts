import type { z } from "zod";
import { ZCloudflareEnvelope } from "./cloudflare.ts";
import type { FieldIssue } from "./common.ts";
import { ZThreadList, ZThreadListQuery, ZThreadMessages } from "./conversations.ts";
import {
  ZDataSettings,
  ZDataSettingsQuery,
  ZDataSettingsRequest,
  ZDeletionCounts,
  ZDeletionList,
  ZErasureRequest,
} from "./data.ts";
import {
  ZAgentList,
  ZDetailsQuery,
  ZExecutionDetails,
  ZExecutionList,
  ZExecutionListQuery,
  ZExecutionOutline,
  ZOutlineQuery,
  ZPortalExecution,
  ZSpanOne,
} from "./executions.ts";
import { ZHealth } from "./health.ts";
import { ZDemoResult, ZEventsEnvelope, ZIngestResponse, ZTracesEnvelope } from "./ingest.ts";
import { ZIngestionStatus } from "./ingestion.ts";
import { LIVE_CONTENT_TYPE } from "./live.ts";
import {
  ZCardList,
  ZCardListQuery,
  ZCardOne,
  ZCatalog,
  ZCatalogQuery,
  ZCreateCard,
  ZEventFeed,
  ZEventFeedQuery,
  ZLayoutRequest,
  ZMetricQuery,
  ZMetricResult,
  ZUpdateCard,
} from "./metrics.ts";
import { ZModelPricesRequest, ZModelPricesResponse } from "./models.ts";
import { OTLP_CONTENT_TYPES } from "./otlp-media.ts";
import { ZOutputChain, ZOutputIngestQuery, ZOutputIngestResult } from "./output.ts";
import { ZOverview, ZOverviewQuery } from "./overview.ts";
import {
  TRAINING_JSONL_TYPE,
  ZCreateReview,
  ZExportQuery,
  ZReview,
  ZReviewCheck,
  ZReviewCheckQuery,
  ZReviewCreated,
  ZReviewList,
  ZReviewListQuery,
  ZReviewStats,
  ZReviewStatsQuery,
  ZTrainingExport,
  ZUpdateReview,
} from "./reviews.ts";
import {
  ZAcceptInviteRequest,
  ZActiveWorkspace,
  ZApiKeyCreated,
  ZApiKeyList,
  ZCreateApiKeyRequest,
  ZCreateWorkspaceRequest,
  ZInvitationCreated,
  ZInvitationList,
  ZInviteRequest,
  ZMe,
  ZMemberList,
  ZMemberRole,
  ZRedactionKeys,
  ZRedactionRequest,
  ZSetupDone,
  ZSetupRequest,
  ZSetupStatus,
  ZSwitchWorkspaceRequest,
  ZUpdateMemberRequest,
  ZWorkspaceCreated,
  ZWorkspaceList,
} from "./workspaces.ts";

// ---------------------------------------------------------------------------------------------
// The endpoint table

export type ApiMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * What an endpoint answers on success, as its route declares it with route() (lib/http/route.ts):
 * JSON of a schema, nothing ("empty", 204), or a body of its own of these content types (with a
 * JSON schema beside it when it may also answer JSON).
 */
export type EndpointResponse =
  | z.ZodType
  | "empty"
  | { readonly raw: readonly string[] }
  | { readonly json: z.ZodType; readonly raw: readonly string[] };

/**
 * One endpoint: the query and body schemas its route parses and the response it declares. `body:
 * "raw"` is a body sent as it is (a file, OTLP's protobuf), which the route reads itself.
 */
export type Endpoint = {
  readonly query?: z.ZodType;
  readonly body?: z.ZodType | "raw";
  readonly response: EndpointResponse;
};

/**
 * Every endpoint under app/api served through route(), keyed "METHOD path" with the route file's
 * path (`[id]` is a path id), holding the same schema objects the route declares:
 * tests/integration/api-client.test.ts fails when a route file's method has no entry here, an entry
 * has no route, or an entry's schemas are not the route's own objects. So the routes stay the one
 * source of truth, and this table cannot drift from them.
 */
export const API_ENDPOINTS = {
  "GET /api/health": { response: ZHealth },
  "POST /api/otel/v1/logs": { body: "raw", response: { raw: [OTLP_CONTENT_TYPES.protobuf, OTLP_CONTENT_TYPES.json] } },
  "POST /api/otel/v1/traces": {
    body: "raw",
    response: { raw: [OTLP_CONTENT_TYPES.protobuf, OTLP_CONTENT_TYPES.json] },
  },
  "GET /api/v1/agents": { response: ZAgentList },
  "GET /api/v1/api-keys": { response: ZApiKeyList },
  "POST /api/v1/api-keys": { body: ZCreateApiKeyRequest, response: ZApiKeyCreated },
  "DELETE /api/v1/api-keys/[id]": { response: "empty" },
  "POST /api/v1/demo": { response: ZDemoResult },
  "POST /api/v1/ingest/cloudflare": { body: ZCloudflareEnvelope, response: ZIngestResponse },
  "POST /api/v1/ingest/output": { query: ZOutputIngestQuery, body: "raw", response: ZOutputIngestResult },
  "GET /api/v1/invitations": { response: ZInvitationList },
  "POST /api/v1/invitations": { body: ZInviteRequest, response: ZInvitationCreated },
  "DELETE /api/v1/invitations/[id]": { response: "empty" },
  "POST /api/v1/invitations/accept": { body: ZAcceptInviteRequest, response: ZActiveWorkspace },
  "GET /api/v1/live": { response: { raw: [LIVE_CONTENT_TYPE] } },
  "GET /api/v1/me": { response: ZMe },
  "GET /api/v1/members": { response: ZMemberList },
  "PATCH /api/v1/members/[userId]": { body: ZUpdateMemberRequest, response: ZMemberRole },
  "DELETE /api/v1/members/[userId]": { response: "empty" },
  "GET /api/v1/metrics/cards": { query: ZCardListQuery, response: ZCardList },
  "POST /api/v1/metrics/cards": { body: ZCreateCard, response: ZCardOne },
  "PATCH /api/v1/metrics/cards/[id]": { body: ZUpdateCard, response: ZCardOne },
  "DELETE /api/v1/metrics/cards/[id]": { response: "empty" },
  "PUT /api/v1/metrics/cards/layout": { body: ZLayoutRequest, response: ZCardList },
  "GET /api/v1/metrics/catalog": { query: ZCatalogQuery, response: ZCatalog },
  "GET /api/v1/metrics/events": { query: ZEventFeedQuery, response: ZEventFeed },
  "POST /api/v1/metrics/query": { body: ZMetricQuery, response: ZMetricResult },
  "GET /api/v1/observability/executions/[id]": { response: ZPortalExecution },
  "GET /api/v1/observability/executions/[id]/chain": { response: ZOutputChain },
  "GET /api/v1/observability/executions/[id]/messages": { response: ZThreadMessages },
  "GET /api/v1/observability/executions/[id]/outline": { query: ZOutlineQuery, response: ZExecutionOutline },
  "GET /api/v1/observability/executions/[id]/spans/[spanId]": { response: ZSpanOne },
  "GET /api/v1/overview": { query: ZOverviewQuery, response: ZOverview },
  "POST /api/v1/runtime/v1/observability/erasure": { body: ZErasureRequest, response: ZDeletionCounts },
  "POST /api/v1/runtime/v1/observability/events": { body: ZEventsEnvelope, response: ZIngestResponse },
  "GET /api/v1/runtime/v1/observability/executions": { query: ZExecutionListQuery, response: ZExecutionList },
  "DELETE /api/v1/runtime/v1/observability/executions/[id]": { response: "empty" },
  "GET /api/v1/runtime/v1/observability/executions/[id]/details": {
    query: ZDetailsQuery,
    response: ZExecutionDetails,
  },
  "GET /api/v1/runtime/v1/observability/threads": { query: ZThreadListQuery, response: ZThreadList },
  "GET /api/v1/runtime/v1/observability/threads/[threadId]/messages": { response: ZThreadMessages },
  "POST /api/v1/runtime/v1/observability/traces": { body: ZTracesEnvelope, response: ZIngestResponse },
  "GET /api/v1/runtime/v1/reviews": { query: ZReviewListQuery, response: ZReviewList },
  "POST /api/v1/runtime/v1/reviews": { body: ZCreateReview, response: ZReviewCreated },
  "GET /api/v1/runtime/v1/reviews/[id]": { response: ZReview },
  "PATCH /api/v1/runtime/v1/reviews/[id]": { body: ZUpdateReview, response: ZReview },
  "DELETE /api/v1/runtime/v1/reviews/[id]": { response: "empty" },
  "GET /api/v1/runtime/v1/reviews/check": { query: ZReviewCheckQuery, response: ZReviewCheck },
  "GET /api/v1/runtime/v1/reviews/export": {
    query: ZExportQuery,
    response: { json: ZTrainingExport, raw: [TRAINING_JSONL_TYPE] },
  },
  "GET /api/v1/runtime/v1/reviews/stats": { query: ZReviewStatsQuery, response: ZReviewStats },
  "GET /api/v1/settings/audit": { response: ZDeletionList },
  "GET /api/v1/settings/data": { query: ZDataSettingsQuery, response: ZDataSettings },
  "PUT /api/v1/settings/data": { body: ZDataSettingsRequest, response: ZDataSettings },
  "GET /api/v1/settings/ingestion": { response: ZIngestionStatus },
  "POST /api/v1/settings/ingestion/failed/[id]/retry": { response: "empty" },
  "GET /api/v1/settings/models": { response: ZModelPricesResponse },
  "PUT /api/v1/settings/models": { body: ZModelPricesRequest, response: ZModelPricesResponse },
  "POST /api/v1/settings/models/recompute": { response: ZModelPricesResponse },
  "GET /api/v1/settings/redaction": { response: ZRedactionKeys },
  "PUT /api/v1/settings/redaction": { body: ZRedactionRequest, response: ZRedactionKeys },
  "GET /api/v1/setup": { response: ZSetupStatus },
  "POST /api/v1/setup": { body: ZSetupRequest, response: ZSetupDone },
  "PUT /api/v1/workspaces/active": { body: ZSwitchWorkspaceRequest, response: ZActiveWorkspace },
  "GET /api/v1/workspaces": { response: ZWorkspaceList },
  "POST /api/v1/workspaces": { body: ZCreateWorkspaceRequest, response: ZWorkspaceCreated },
} as const satisfies Record<`${ApiMethod} /api/${string}`, Endpoint>;

export type EndpointKey = keyof typeof API_ENDPOINTS;
type EndpointOf<K extends EndpointKey> = (typeof API_ENDPOINTS)[K];

/** The method and the route file's path of an endpoint key. */
export function splitEndpoint(key: EndpointKey | string): { method: ApiMethod; path: string } {
  const space = key.indexOf(" ");
  return { method: key.slice(0, space) as ApiMethod, path: key.slice(space + 1) };
}

// ---------------------------------------------------------------------------------------------
// Types of a call

type PathOf<K> = K extends `${string} ${infer P}` ? P : never;
type ParamNames<P> = P extends `${string}[${infer N}]${infer Rest}` ? N | ParamNames<Rest> : never;

/** One query parameter's value: what the schema's input takes (coerced numbers as numbers), an instant also as a Date. */
type QueryValue<T> = unknown extends T
  ? number | string | boolean
  : Exclude<T, undefined> | (string extends Exclude<T, undefined> ? Date : never);

/** A query schema's parameters as a caller passes them; undefined and null are left out of the URL. */
export type QueryInput<S extends z.ZodType> = { [K in keyof z.input<S>]?: QueryValue<z.input<S>[K]> | null };

type ParamsOption<K> = [ParamNames<PathOf<K>>] extends [never]
  ? { params?: undefined }
  : { params: Record<ParamNames<PathOf<K>>, string> };
type QueryOption<E> = E extends { query: infer Q extends z.ZodType }
  ? /** The parameters; a URLSearchParams is sent as it is. */
    { query?: QueryInput<Q> | URLSearchParams }
  : { query?: undefined };
type BodyOption<E> = E extends { body: "raw" }
  ? { body: BodyInit }
  : E extends { body: infer B extends z.ZodType }
    ? { body: z.input<B> }
    : { body?: undefined };

export type CallOptions<K extends EndpointKey> = ParamsOption<K> &
  QueryOption<EndpointOf<K>> &
  BodyOption<EndpointOf<K>> & {
    /** Headers of this request only, over the client's. */
    headers?: Record<string, string>;
    signal?: AbortSignal;
  };
/** What a URL is built from: the path ids and the query. */
export type UrlOptions<K extends EndpointKey> = ParamsOption<K> & QueryOption<EndpointOf<K>>;
type UrlArg<K extends EndpointKey> =
  object extends UrlOptions<K> ? [options?: UrlOptions<K>] : [options: UrlOptions<K>];
/** The options argument: optional when nothing in it is required. */
type OptionsArg<K extends EndpointKey> =
  object extends CallOptions<K> ? [options?: CallOptions<K>] : [options: CallOptions<K>];

/** The JSON an endpoint answers (undefined for "empty", a Response for a body of its own). */
export type ResponseOf<K extends EndpointKey> = EndpointOf<K>["response"] extends infer R
  ? R extends z.ZodType
    ? z.output<R>
    : R extends "empty"
      ? undefined
      : R extends { json: infer J extends z.ZodType }
        ? z.output<J>
        : Response
  : never;

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Every failure of a call: an error answer of the API (API.md › Errors: its status, code, message
 * and field details), any other error status (`http_<status>`), an answer that is not the JSON its
 * contract declares (`invalid_response`), or a request that cannot be built (`invalid_request`,
 * status 0: nothing was sent). `body` is the answer's body as read (parsed JSON, else its text).
 */
export class ApiClientError extends Error {
  override readonly name = "ApiClientError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[] = [],
    readonly body: unknown = undefined,
  ) {
    super(message);
  }
  /** The first field in the details (the one a form shows the message under), if any. */
  get field(): string | undefined {
    return this.details[0]?.path;
  }
  /** The message of the detail on `path`, if any. */
  fieldError(path: string): string | undefined {
    return this.details.find((d) => d.path === path)?.message;
  }
  /** Whether the body was the API's own error format (`{"error": {code, message}}`). */
  get fromApi(): boolean {
    return apiErrorOf(this.body) !== null;
  }
}

/** The `error` of a body in the API's error format, read leniently (a newer server may add fields). */
function apiErrorOf(body: unknown): { code: string; message: string; details: FieldIssue[] } | null {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (typeof error?.code !== "string" || typeof error.message !== "string") return null;
  const details = Array.isArray(error.details)
    ? error.details.filter(
        (d): d is FieldIssue => typeof d?.path === "string" && typeof (d as FieldIssue).message === "string",
      )
    : [];
  return { code: error.code, message: error.message, details };
}

/** The text of a body as JSON, else the text itself (undefined when empty). */
function readBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The error an answer with status `status` and body `text` stands for. */
export function errorFromResponse(status: number, text: string): ApiClientError {
  const body = readBody(text);
  const error = apiErrorOf(body);
  if (error) return new ApiClientError(status, error.code, error.message, error.details, body);
  return new ApiClientError(status, `http_${status}`, `Request failed (${status}).`, [], body);
}

// ---------------------------------------------------------------------------------------------
// Building requests

const DOT_SEGMENT = /^\.{1,2}$/;

/** An endpoint's path with its ids filled in, each percent-encoded as one segment. */
export function endpointPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/\[([^\]]+)\]/g, (_, name: string) => {
    const value = params?.[name];
    // "." and ".." cannot be sent as a segment at all: URL parsing resolves them (also as %2E).
    if (typeof value !== "string" || value === "" || DOT_SEGMENT.test(value))
      throw new ApiClientError(0, "invalid_request", `The path id "${name}" is missing or not addressable.`, [
        { path: name, message: "Required: a non-empty id other than . and .." },
      ]);
    return encodeURIComponent(value);
  });
}

/** A query string (with its "?", or "" when empty) of parameters; undefined and null are left out, a Date is ISO-8601. */
export function queryString(query: Record<string, unknown> | URLSearchParams | undefined): string {
  if (!query) return "";
  const qs =
    query instanceof URLSearchParams
      ? query
      : new URLSearchParams(
          Object.entries(query).flatMap(([k, v]) =>
            v === undefined || v === null ? [] : [[k, v instanceof Date ? v.toISOString() : String(v)]],
          ),
        );
  return qs.size ? `?${qs}` : "";
}

export type ApiClientOptions = {
  /** The origin (and any path prefix) the endpoints' paths are appended to; "" in the browser, for same-origin paths. */
  baseUrl: string;
  fetch: typeof fetch;
  /** Headers of every request (credentials: the SDK's Authorization). */
  headers?: Record<string, string> | (() => Record<string, string>);
  /**
   * Check each JSON answer against its endpoint's response schema; a mismatch throws
   * ApiClientError `invalid_response` naming the fields. The answer returned is the JSON as it
   * came either way. Default off: the portal turns it on outside production, as route() checks
   * the server's side; the SDK leaves it off, so a newer server's added field cannot break it.
   */
  validate?: boolean;
};

/** An answer read by `call`: its status, headers and JSON (undefined for an empty body). */
export type ApiAnswer<K extends EndpointKey> = { status: number; headers: Headers; data: ResponseOf<K> };

export type ApiClient = {
  /** The URL of a call (path ids encoded, the query string built). */
  url<K extends EndpointKey>(key: K, ...options: UrlArg<K>): string;
  /** The URL and fetch init of a call, for a caller that sends it itself (the SDK's batching transport). */
  prepare<K extends EndpointKey>(key: K, ...options: OptionsArg<K>): { url: string; init: RequestInit };
  /** Sends a call; the answer unread if it succeeded, else throws ApiClientError. For a body of its own (a stream, a file). */
  fetch<K extends EndpointKey>(key: K, ...options: OptionsArg<K>): Promise<Response>;
  /** Sends a call and reads its JSON, with the status and headers. */
  call<K extends EndpointKey>(key: K, ...options: OptionsArg<K>): Promise<ApiAnswer<K>>;
  /** Sends a call and returns its JSON (undefined for a 204). */
  request<K extends EndpointKey>(key: K, ...options: OptionsArg<K>): Promise<ResponseOf<K>>;
};

/**
 * A typed client of the Runlens API over an injected fetch: the browser's (same-origin paths, the
 * session cookie) or the SDK's (an API URL and key). Every call names an endpoint of API_ENDPOINTS;
 * its path ids, query and body are typed by the route's own schemas.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const headersOf = () => (typeof options.headers === "function" ? options.headers() : (options.headers ?? {}));

  const url = (key: EndpointKey, o: Partial<CallOptions<EndpointKey>> = {}) => {
    // A caller without the types (plain JavaScript) can name anything.
    if (!Object.hasOwn(API_ENDPOINTS, key)) throw new ApiClientError(0, "invalid_request", `No endpoint "${key}".`);
    const { path } = splitEndpoint(key);
    return `${base}${endpointPath(path, o.params as Record<string, string> | undefined)}${queryString(o.query as Record<string, unknown> | URLSearchParams | undefined)}`;
  };

  const prepare = (key: EndpointKey, o: Partial<CallOptions<EndpointKey>> = {}) => {
    const target = url(key, o);
    const endpoint: Endpoint = API_ENDPOINTS[key];
    const raw = endpoint.body === "raw";
    const hasBody = o.body !== undefined;
    const init: RequestInit = {
      method: splitEndpoint(key).method,
      headers: {
        ...headersOf(),
        ...(hasBody && !raw ? { "content-type": "application/json" } : {}),
        ...o.headers,
      },
    };
    if (hasBody) init.body = raw ? (o.body as BodyInit) : JSON.stringify(o.body);
    if (o.signal) init.signal = o.signal;
    return { url: target, init };
  };

  const send = async (key: EndpointKey, o?: Partial<CallOptions<EndpointKey>>): Promise<Response> => {
    const { url: target, init } = prepare(key, o);
    const res = await options.fetch(target, init);
    if (!res.ok) throw errorFromResponse(res.status, await res.text());
    return res;
  };

  const call = async (key: EndpointKey, o?: Partial<CallOptions<EndpointKey>>) => {
    const res = await send(key, o);
    const response: EndpointResponse = API_ENDPOINTS[key].response;
    // A body of its own only (a stream): the answer is the Response, unread.
    if (typeof response === "object" && "raw" in response && !("json" in response))
      return { status: res.status, headers: res.headers, data: res as unknown };
    const text = res.status === 204 ? "" : await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiClientError(res.status, "invalid_response", `The answer to ${key} is not JSON.`, [], text);
    }
    if (options.validate) check(key, res.status, data);
    return { status: res.status, headers: res.headers, data };
  };

  return {
    url: (key, ...o) => url(key, o[0] as Partial<CallOptions<EndpointKey>>),
    prepare: (key, ...o) => prepare(key, o[0] as Partial<CallOptions<EndpointKey>>),
    fetch: (key, ...o) => send(key, o[0] as Partial<CallOptions<EndpointKey>>),
    call: (key, ...o) => call(key, o[0] as Partial<CallOptions<EndpointKey>>) as Promise<ApiAnswer<typeof key>>,
    request: async (key, ...o) =>
      (await call(key, o[0] as Partial<CallOptions<EndpointKey>>)).data as ResponseOf<typeof key>,
  };
}

/** The JSON schema of a response contract: none for "empty" and for a body of its own only. */
function jsonSchemaOf(response: EndpointResponse): z.ZodType | null {
  if (response === "empty") return null;
  if ("raw" in response) return "json" in response ? response.json : null;
  return response;
}

/** Checks JSON `data` against the response schema of `key`; throws `invalid_response` with the fields on a mismatch. */
function check(key: EndpointKey, status: number, data: unknown): void {
  const schema = jsonSchemaOf(API_ENDPOINTS[key].response);
  if (!schema) return;
  const checked = schema.safeParse(data);
  if (checked.success) return;
  const details = checked.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  throw new ApiClientError(
    status,
    "invalid_response",
    `The answer to ${key} does not match its contract.`,
    details,
    data,
  );
}
