import {
  ApiClientError,
  type CallOptions,
  createApiClient,
  type EndpointKey,
  errorFromResponse,
  type ResponseOf,
  type ApiClient as TypedClient,
} from "../../lib/contracts/client.ts";
import type {
  DetailsPage,
  ExecutionDetails,
  ExecutionList,
  ExecutionListFilters,
  Span,
} from "../../lib/contracts/executions.ts";

export type { Execution, ExecutionDetails, ExecutionList, Span } from "../../lib/contracts/executions.ts";

export type ExecutionsOptions = { apiUrl?: string; apiKey?: string; fetch?: typeof fetch };

export class RunlensApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const msg = (body as { error?: { message?: string } } | null)?.error?.message;
    super(msg ? `Runlens API ${status}: ${msg}` : `Runlens API answered ${status}`);
    this.name = "RunlensApiError";
  }
}

/** Shared HTTP helper of the SDK's API clients (executions, reviews): the typed API client of lib/contracts/client.ts. */
export class ApiClient {
  readonly apiUrl: string;
  private readonly apiKey: string;
  private readonly fetchImpl: typeof fetch;
  /** The typed client: paths, ids, queries and bodies of the API's own contracts. */
  protected readonly api: TypedClient;

  constructor(opts: ExecutionsOptions = {}) {
    this.apiUrl = (opts.apiUrl ?? process.env.RUNLENS_API_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
    const key = opts.apiKey ?? process.env.RUNLENS_API_KEY;
    if (!key) throw new Error("Runlens API key missing: pass apiKey or set RUNLENS_API_KEY.");
    this.apiKey = key;
    this.fetchImpl = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.api = createApiClient({
      baseUrl: this.apiUrl,
      fetch: this.fetchImpl,
      headers: { authorization: `Bearer ${this.apiKey}` },
    });
  }

  /** One call of the API; an error answer is thrown as this client's error (`toError`). */
  protected async call<K extends EndpointKey>(key: K, options?: CallOptions<K>): Promise<ResponseOf<K>> {
    try {
      return await (this.api.request as (k: K, o?: CallOptions<K>) => Promise<ResponseOf<K>>)(key, options);
    } catch (e) {
      // An answer with an error status; a request never sent or an unreadable answer stays as it is.
      if (e instanceof ApiClientError && e.status > 0 && e.code !== "invalid_response")
        throw this.toError(e.status, e.body);
      throw e;
    }
  }

  /**
   * @deprecated Any method and path, untyped: use the typed methods (`Executions`, `Reviews`).
   * Kept for callers of earlier versions; it sends what they sent.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetchImpl(`${this.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw this.toError(res.status, errorFromResponse(res.status, text).body);
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      return text as T;
    }
  }

  protected toError(status: number, body: unknown): Error {
    return new RunlensApiError(status, body);
  }
}

/** The executions list query of the API contract (lib/contracts/executions.ts), as filters. */
export type ListFilters = ExecutionListFilters;

/** Reads executions and their traces. */
export class Executions extends ApiClient {
  list(filters: ListFilters = {}): Promise<ExecutionList> {
    return this.call("GET /api/v1/runtime/v1/observability/executions", { query: filters });
  }

  /** One page of an execution's traces in depth-first order (limit default 500, max 1,000). */
  getDetails(executionId: string, page: DetailsPage = {}): Promise<ExecutionDetails> {
    return this.call("GET /api/v1/runtime/v1/observability/executions/[id]/details", {
      params: { id: executionId },
      query: { offset: page.offset ?? 0, limit: page.limit ?? 500 },
    });
  }

  /** Every trace of an execution, page by page. */
  async *iterateTraces(executionId: string, opts: { pageSize?: number } = {}): AsyncGenerator<Span> {
    let offset = 0;
    for (;;) {
      const page = await this.getDetails(executionId, { offset, limit: opts.pageSize ?? 1000 });
      yield* page.traces;
      offset += page.traces.length;
      if (!page.tracesHasMore || page.traces.length === 0) return;
    }
  }
}
