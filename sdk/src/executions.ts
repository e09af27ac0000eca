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

/** Shared HTTP helper of the SDK's API clients (executions, reviews). */
export class ApiClient {
  readonly apiUrl: string;
  private readonly apiKey: string;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: ExecutionsOptions = {}) {
    this.apiUrl = (opts.apiUrl ?? process.env.RUNLENS_API_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
    const key = opts.apiKey ?? process.env.RUNLENS_API_KEY;
    if (!key) throw new Error("Runlens API key missing: pass apiKey or set RUNLENS_API_KEY.");
    this.apiKey = key;
    this.fetchImpl = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

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
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = text;
    }
    if (!res.ok) throw this.toError(res.status, data);
    return data as T;
  }

  protected toError(status: number, body: unknown): Error {
    return new RunlensApiError(status, body);
  }
}

/** The executions list query of the API contract (lib/contracts/executions.ts), as filters. */
export type ListFilters = ExecutionListFilters;

const BASE = "/api/v1/runtime/v1/observability/executions";

/** Reads executions and their traces. */
export class Executions extends ApiClient {
  list(filters: ListFilters = {}): Promise<ExecutionList> {
    const qs = new URLSearchParams(
      Object.entries(filters).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
    );
    return this.request("GET", `${BASE}${qs.size ? `?${qs}` : ""}`);
  }

  /** One page of an execution's traces in depth-first order (limit default 500, max 1,000). */
  getDetails(executionId: string, page: DetailsPage = {}): Promise<ExecutionDetails> {
    const qs = new URLSearchParams({ offset: String(page.offset ?? 0), limit: String(page.limit ?? 500) });
    return this.request("GET", `${BASE}/${encodeURIComponent(executionId)}/details?${qs}`);
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
