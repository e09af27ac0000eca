import { type ApiClient, createApiClient, errorFromResponse } from "../../lib/contracts/client.ts";
import type { ItemResult } from "../../lib/contracts/ingest.ts";

/**
 * Batches records to one endpoint. Never throws into user code, and never loses a record without
 * saying so: every record is delivered, kept for a later retry, or reported (a warning and
 * `onError`) as rejected by the server, dropped from a full buffer, or still pending when a flush
 * ran out of time.
 */

/**
 * - `rejected`: the server refused the records for good (a 4xx item of a 207, or a 4xx answer to
 *   the whole request other than 408/429); they are discarded.
 * - `dropped`: the buffer was full; the oldest records were discarded.
 * - `failed`: a send gave up for now after its retries (network error, request timeout, 5xx, 408,
 *   429); the records are kept, ahead of newer ones, and sent again later.
 * - `timeout`: `end()`/`flush()` returned after `flushTimeoutMs` with these records still pending;
 *   they stay buffered and are sent in the background.
 */
export type DeliveryErrorKind = "rejected" | "dropped" | "failed" | "timeout";

export class RunlensDeliveryError extends Error {
  override readonly name = "RunlensDeliveryError";
  readonly kind: DeliveryErrorKind;
  readonly envelope: "traces" | "events";
  /** Ids of the records concerned (a record without an id is counted but not listed). */
  readonly ids: string[];
  readonly count: number;
  /** The HTTP status (an item's own status in a 207), or null when no answer came. */
  readonly status: number | null;
  /** The server's error code, or request_timeout, network_error, invalid_response, retry_after, buffer_full, flush_timeout. */
  readonly code: string;

  constructor(fields: {
    kind: DeliveryErrorKind;
    envelope: "traces" | "events";
    ids: string[];
    count: number;
    status: number | null;
    code: string;
    message: string;
  }) {
    super(fields.message);
    this.kind = fields.kind;
    this.envelope = fields.envelope;
    this.ids = fields.ids;
    this.count = fields.count;
    this.status = fields.status;
    this.code = fields.code;
  }
}

export type RetryPolicy = {
  /** Retries of one send before its records go back to the buffer. */
  retries: number;
  /** Backoff before retry n: min(maxDelayMs, baseDelayMs * 2^(n-1)), times a random 0.5 to 1. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not slept through: the send gives up for now instead. */
  maxRetryAfterMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 30_000 };

/** Time as the transport sees it; tests inject one to control backoff and Retry-After. */
export type Clock = { now(): number; sleep(ms: number): Promise<void>; random(): number };

const systemClock: Clock = {
  now: () => Date.now(),
  // Not unref'd: a short script stays alive while its records are being retried.
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

export type TransportOptions<T = { id?: string | null }> = {
  /** The API's origin: records go to its traces or events endpoint (by `envelope`), built by the API client. */
  apiUrl: () => string;
  apiKey: () => string | null;
  fetch: () => typeof fetch;
  /** The JSON envelope key: "traces" or "events". */
  envelope: "traces" | "events";
  maxBatch: number;
  flushIntervalMs: number;
  maxBuffered: () => number;
  /** One request (answer and body) is aborted after this long and counts as a transient failure. */
  requestTimeoutMs: () => number;
  /** `flushWithin` resolves after this long at the latest. */
  flushTimeoutMs: () => number;
  warn: (message: string) => void;
  onError: (error: RunlensDeliveryError) => void;
  retry?: RetryPolicy;
  clock?: Clock;
  /**
   * Records a later record with the same id supersedes (a span's "running" version, which its
   * ended version replaces): while one is buffered, a newer version of its id takes its place, and
   * it is sent only once `holdMs` old, except by an explicit `flush()`. A span that ends sooner is
   * then sent once, as it ended, instead of twice (the server stores each version it receives).
   */
  provisional?: { is: (record: T) => boolean; holdMs: () => number };
};

type Failure = { status: number | null; code: string; message: string };
/** The records of one request still to retry, and why (null when every record is settled). */
type Unsettled<T> = { retry: T[]; failure: Failure } | null;
/** An item result as it comes over the wire: any status, 201 meaning stored. */
type WireItemResult = Omit<ItemResult, "status"> & { status: number };

/** 408, 429 and 5xx may succeed later; any other refusal will not. */
export function isTransient(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** A Retry-After header (delay in seconds or an HTTP date) as milliseconds from `now`, or null. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // HTTP dates name their month ("Wed, 21 Oct 2026 07:28:00 GMT"); Date.parse alone would read "-5" as a year.
  const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Exponential backoff with jitter, so clients that failed together do not retry together. */
export function backoffMs(retry: number, policy: RetryPolicy, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling * (0.5 + random / 2));
}

const LISTED_IDS = 10;

function describe(kind: DeliveryErrorKind, count: number, envelope: string, reason: string, ids: string[]): string {
  const listed =
    ids.length > LISTED_IDS
      ? `${ids.slice(0, LISTED_IDS).join(", ")} and ${ids.length - LISTED_IDS} more`
      : ids.join(", ");
  const which = listed ? `: ${listed}` : "";
  switch (kind) {
    case "rejected":
      return `the server rejected ${count} ${envelope} (${reason})${which}`;
    case "dropped":
      return `buffer full: dropped ${count} ${envelope} (${reason})${which}`;
    case "failed":
      return `could not send ${count} ${envelope} (${reason}); kept for a later retry${which}`;
    case "timeout":
      return `${count} ${envelope} still pending after ${reason}; they are sent in the background${which}`;
  }
}

/**
 * A place in the buffer: its record (a newer version of the id takes the place of the older one)
 * and, for a provisional record, when it may be sent.
 */
type Slot<T> = { record: T; heldUntil: number | undefined };

const recordsOf = <T>(slots: Slot<T>[]): T[] => slots.map((s) => s.record);

export class BatchTransport<T extends { id?: string | null }> {
  private buffer: Slot<T>[] = [];
  /**
   * With `provisional`: the place of each id's buffered record (the newest), so a newer version
   * replaces it without searching the buffer.
   */
  private readonly byId = new Map<string, Slot<T>>();
  /** The places of the send in progress (out of the buffer until it settles). */
  private sending: Slot<T>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  /** The server asked (Retry-After) not to be sent anything before this time. */
  private resumeAt = 0;
  private sentRequests = 0;
  private deliveredCount = 0;
  private droppedCount = 0;
  private rejectedCount = 0;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private client: { baseUrl: string; key: string; fetch: typeof fetch; api: ApiClient } | null = null;

  constructor(private readonly opts: TransportOptions<T>) {
    this.clock = opts.clock ?? systemClock;
    this.retry = opts.retry ?? DEFAULT_RETRY;
  }

  get requests(): number {
    return this.sentRequests;
  }
  /** Records the server stored (201), each send counted once. */
  get delivered(): number {
    return this.deliveredCount;
  }
  get dropped(): number {
    return this.droppedCount;
  }
  get rejected(): number {
    return this.rejectedCount;
  }
  get pending(): number {
    return this.buffer.length;
  }

  add(record: T): void {
    const p = this.opts.provisional;
    // Only a record with an id is ever held or replaced.
    const id = p && record.id ? record.id : null;
    const heldUntil = p && id && p.is(record) ? this.clock.now() + p.holdMs() : undefined;
    if (id && this.supersede(id, record, heldUntil)) return;
    const slot = { record, heldUntil };
    this.buffer.push(slot);
    if (id) this.byId.set(id, slot);
    const max = this.opts.maxBuffered();
    if (this.buffer.length > max) {
      const dropped = this.buffer.splice(0, this.buffer.length - max);
      this.forget(dropped);
      this.droppedCount += dropped.length;
      const message = `${this.droppedCount} in total`;
      this.report("dropped", recordsOf(dropped), { status: null, code: "buffer_full", message });
    }
    if (this.buffer.length >= this.opts.maxBatch) void this.flush(false, false);
    else this.schedule();
  }

  /**
   * With `provisional`: puts `record` in the place of the buffered version of its id if there is
   * one, held as `record` is (true: nothing more to add).
   */
  private supersede(id: string, record: T, heldUntil: number | undefined): boolean {
    const slot = this.byId.get(id);
    if (!slot) return false;
    slot.record = record;
    slot.heldUntil = heldUntil;
    this.schedule();
    return true;
  }

  /** Records that left the buffer are no longer what their id's next version replaces. */
  private forget(slots: Slot<T>[]): void {
    if (!this.opts.provisional) return;
    for (const s of slots) {
      const id = s.record.id;
      if (id && this.byId.get(id) === s) this.byId.delete(id);
    }
  }

  private held(slot: Slot<T>, now: number): boolean {
    return slot.heldUntil !== undefined && slot.heldUntil > now;
  }

  /** How many buffered records a send may take now (held ones only with `withHeld`). */
  private sendable(withHeld: boolean): number {
    if (withHeld || !this.opts.provisional) return this.buffer.length;
    const now = this.clock.now();
    let n = 0;
    for (const s of this.buffer) if (!this.held(s, now)) n++;
    return n;
  }

  /**
   * Takes the next batch out of the buffer, in order, passing over held records unless `withHeld`
   * (they keep their order, compacted in place).
   */
  private take(withHeld: boolean): Slot<T>[] {
    const taken = withHeld || !this.opts.provisional ? this.buffer.splice(0, this.opts.maxBatch) : this.takeUnheld();
    this.forget(taken);
    return taken;
  }

  private takeUnheld(): Slot<T>[] {
    const now = this.clock.now();
    const batch: Slot<T>[] = [];
    let kept = 0;
    for (const s of this.buffer) {
      if (batch.length < this.opts.maxBatch && !this.held(s, now)) batch.push(s);
      else this.buffer[kept++] = s;
    }
    this.buffer.length = kept;
    return batch;
  }

  private schedule(): void {
    if (this.timer) return;
    const delay = Math.max(this.opts.flushIntervalMs, this.resumeAt - this.clock.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush(true, false);
    }, delay);
    this.timer.unref?.();
  }

  /**
   * Sends what is buffered: everything (`all`, the default) or only full batches (a size-triggered
   * send leaves the remainder to its timer), held provisional records too unless `withHeld` is
   * false (the timer, size-triggered sends, an execution's end). Resolves when done or when a send
   * gave up for now.
   */
  async flush(all = true, withHeld = true): Promise<void> {
    if (all && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.inflight) await this.inflight;
    while (this.sendable(withHeld) >= (all ? 1 : this.opts.maxBatch)) {
      const taken = this.take(withHeld);
      this.sending = taken;
      let left: T[] = [];
      this.inflight = this.send(recordsOf(taken)).then((l) => {
        left = l;
      });
      await this.inflight;
      this.inflight = null;
      this.sending = [];
      if (left.length > 0) {
        // Keep them for a later flush, in their places (held as they were), ahead of newer
        // records; a newer version of an id stays its id's buffered record.
        const kept = new Set(left);
        const back = taken.filter((s) => kept.has(s.record));
        this.buffer.unshift(...back);
        if (this.opts.provisional)
          for (const s of back) if (s.record.id && !this.byId.has(s.record.id)) this.byId.set(s.record.id, s);
        this.schedule();
        return;
      }
    }
    if (this.buffer.length > 0) this.schedule();
  }

  /**
   * `flush()` that resolves after `flushTimeoutMs` at the latest, so user code awaiting it is never
   * held by a slow or hung server; what is still pending then is reported and sent in the background.
   */
  async flushWithin(withHeld = true): Promise<void> {
    const ms = this.opts.flushTimeoutMs();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), ms);
      timer.unref?.();
    });
    const late = await Promise.race([this.flush(true, withHeld).then(() => false), expired]);
    clearTimeout(timer);
    if (late) {
      const now = this.clock.now();
      const pending = withHeld ? this.buffer : this.buffer.filter((s) => !this.held(s, now));
      this.report("timeout", recordsOf([...this.sending, ...pending]), {
        status: null,
        code: "flush_timeout",
        message: `the flush timeout of ${ms} ms`,
      });
    }
  }

  /** Sends one batch, retrying what may succeed later; returns the records to keep for later. */
  private async send(batch: T[]): Promise<T[]> {
    const key = this.opts.apiKey();
    if (!key) {
      this.opts.warn("RUNLENS_API_KEY is not set: nothing is sent");
      return batch;
    }
    let pending = batch;
    let lastStatus: number | null = null;
    for (let attempt = 0; ; attempt++) {
      const backoff = attempt > 0 ? backoffMs(attempt, this.retry, this.clock.random()) : 0;
      const wait = Math.max(backoff, this.resumeAt - this.clock.now());
      if (wait > this.retry.maxRetryAfterMs) {
        const message = `the server asked to wait ${Math.ceil(wait / 1000)} s`;
        return this.keepForLater(pending, { status: lastStatus, code: "retry_after", message });
      }
      if (wait > 0) await this.clock.sleep(wait);
      const unsettled = await this.post(pending, key);
      if (!unsettled) return [];
      pending = unsettled.retry;
      lastStatus = unsettled.failure.status;
      if (attempt === this.retry.retries) return this.keepForLater(pending, unsettled.failure);
    }
  }

  private keepForLater(records: T[], failure: Failure): T[] {
    this.report("failed", records, failure);
    return records;
  }

  /** One request: settles what it can and returns what is worth retrying. */
  private async post(records: T[], key: string): Promise<Unsettled<T>> {
    this.sentRequests++;
    const timeoutMs = this.opts.requestTimeoutMs();
    // Covers the body too: a server that stalls mid-answer times out like one that never answers.
    // Not AbortSignal.timeout: its timer (and weak references) outlived every request by
    // timeoutMs, thousands of them at a time under load, a visible part of the SDK's GC.
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    timer.unref?.();
    try {
      const { url, init } = this.prepare(records, key, controller.signal);
      const res = await this.opts.fetch()(url, init);
      const text = await res.text();
      this.noteRetryAfter(res);
      if (res.status === 207) return this.settleItems(records, text);
      if (res.ok) {
        this.deliveredCount += records.length;
        return null;
      }
      const failure = { status: res.status, ...errorOf(text, res.status) };
      if (isTransient(res.status)) return { retry: records, failure };
      this.reject(records, failure);
      return null;
    } catch (e) {
      const error = e as Error;
      return {
        retry: records,
        failure:
          error.name === "TimeoutError"
            ? { status: null, code: "request_timeout", message: `no answer within ${timeoutMs} ms` }
            : { status: null, code: "network_error", message: error.message },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The request of one batch, built by the API client (lib/contracts/client.ts); the transport
   * sends it itself, as its answers (207 per item, Retry-After, transient statuses) are its own.
   */
  private prepare(records: T[], key: string, signal: AbortSignal): { url: string; init: RequestInit } {
    const client = this.apiClient(key);
    // The records are sent as the caller made them (typed by the caller, checked item by item by the server).
    return this.opts.envelope === "traces"
      ? client.prepare("POST /api/v1/runtime/v1/observability/traces", {
          body: { traces: records } as never,
          signal,
        })
      : client.prepare("POST /api/v1/runtime/v1/observability/events", {
          body: { events: records } as never,
          signal,
        });
  }

  /** The API client of the current URL and key, made again only when configure() changes them. */
  private apiClient(key: string): ApiClient {
    const baseUrl = this.opts.apiUrl();
    const fetch = this.opts.fetch();
    const made = this.client;
    if (made?.baseUrl === baseUrl && made.key === key && made.fetch === fetch) return made.api;
    const api = createApiClient({ baseUrl, fetch, headers: { authorization: `Bearer ${key}` } });
    this.client = { baseUrl, key, fetch, api };
    return api;
  }

  private noteRetryAfter(res: Response): void {
    const ms = parseRetryAfter(res.headers.get("retry-after"), this.clock.now());
    if (ms !== null) this.resumeAt = Math.max(this.resumeAt, this.clock.now() + ms);
  }

  /** A 207: results are in request order; 201 is stored, transient statuses retry, others are final. */
  private settleItems(records: T[], text: string): Unsettled<T> {
    let results: WireItemResult[] | undefined;
    try {
      results = (JSON.parse(text) as { results?: WireItemResult[] }).results;
    } catch {
      // handled below: resending is safe, the server keeps one copy per id
    }
    if (!Array.isArray(results) || results.length !== records.length) {
      const message = `a 207 without one result per ${this.opts.envelope === "traces" ? "trace" : "event"}`;
      return { retry: records, failure: { status: 207, code: "invalid_response", message } };
    }
    const retry: T[] = [];
    let failure: Failure | undefined;
    const refusals = new Map<string, { failure: Failure; records: T[] }>();
    for (const [i, result] of results.entries()) {
      if (result.status === 201) {
        this.deliveredCount++;
        continue;
      }
      const itemFailure = {
        status: result.status,
        code: result.error?.code ?? `http_${result.status}`,
        message: result.error?.message ?? `HTTP ${result.status}`,
      };
      if (isTransient(result.status)) {
        retry.push(records[i]);
        failure = itemFailure;
        continue;
      }
      // One report per distinct reason, not one per item.
      const reason = reasonOf(itemFailure);
      const group = refusals.get(reason) ?? { failure: itemFailure, records: [] };
      group.records.push(records[i]);
      refusals.set(reason, group);
    }
    for (const group of refusals.values()) this.reject(group.records, group.failure);
    return failure ? { retry, failure } : null;
  }

  private reject(records: T[], failure: Failure): void {
    this.rejectedCount += records.length;
    this.report("rejected", records, failure);
  }

  private report(kind: DeliveryErrorKind, records: T[], failure: Failure): void {
    const ids = records.flatMap((r) => (typeof r.id === "string" ? [r.id] : []));
    const reason = kind === "timeout" || kind === "dropped" ? failure.message : reasonOf(failure);
    const error = new RunlensDeliveryError({
      kind,
      envelope: this.opts.envelope,
      ids,
      count: records.length,
      status: failure.status,
      code: failure.code,
      message: describe(kind, records.length, this.opts.envelope, reason, ids),
    });
    this.opts.warn(error.message);
    try {
      this.opts.onError(error);
    } catch (e) {
      this.opts.warn(`onError threw: ${(e as Error).message}`);
    }
  }
}

/** "400 validation_error: Invalid item: check name." */
function reasonOf(failure: Failure): string {
  return `${failure.status === null ? "" : `${failure.status} `}${failure.code}: ${failure.message}`;
}

/** The code and message of an error answer ({"error":{"code","message"}}, read by the API client), or its text. */
function errorOf(text: string, status: number): { code: string; message: string } {
  const error = errorFromResponse(status, text);
  if (error.fromApi) return { code: error.code, message: error.message };
  return { code: `http_${status}`, message: text.slice(0, 500) || `HTTP ${status}` };
}
