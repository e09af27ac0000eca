import { createHash } from "node:crypto";
import {
  type CloudflareHeaders,
  type CloudflareInstant,
  type CloudflareTraceItem,
  instantMs,
  invocationStartMs,
  ZCloudflareTraceItem,
} from "../../../contracts/cloudflare.ts";
import { type ExecutionContext, emptyContextFields, emptySpanFields, type SpanRow } from "../../model.ts";

/**
 * Cloudflare tail Workers -> the ingest model. One TraceItem (one invocation of a Worker) is one
 * execution: a root span for the invocation (status from the outcome), an http_call span for a
 * fetch's request and response, a log span per console call, an error span per unhandled exception
 * and a custom_event span per diagnostics-channel message.
 */

/** The agent of a TraceItem whose scriptName is null (always so under Miniflare and workerd). */
export const DEFAULT_WORKER_AGENT = "worker";
/** What Cloudflare itself writes in place of a redacted header value or URL id. */
export const CLOUDFLARE_REDACTED = "REDACTED";

const NAME_CHARS = 120;
const ERROR_MESSAGE_CHARS = 100_000;
const ERROR_STACK_CHARS = 200_000;

export type CloudflareExecution = { executionId: string; spans: SpanRow[]; context: ExecutionContext };

// ---------------------------------------------------------------------------------------------
// Redaction with Cloudflare's own rules (shared/spec/cloudflare-trace-workers.txt, "Redaction").
// The runtime applies them before a tail Worker sees the data, but a tail Worker can forward the
// raw request (getUnredacted()), so the server applies them again; on already-redacted data they
// change nothing.

const SECRET_HEADER = /auth|key|secret|token|jwt/;

/** "REDACTED" for cookie/set-cookie and any header whose name contains auth, key, secret, token or jwt. */
export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === "cookie" || n === "set-cookie" || SECRET_HEADER.test(n);
}

/** Headers as a plain object with lower-cased names (duplicates joined by ", "), secret values redacted. */
export function redactHeaders(headers: CloudflareHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: string, value: string) => {
    const n = name.toLowerCase();
    const v = isSecretHeader(n) ? CLOUDFLARE_REDACTED : value;
    out[n] = n in out && out[n] !== CLOUDFLARE_REDACTED ? `${out[n]}, ${v}` : v;
  };
  if (Array.isArray(headers)) {
    for (const h of headers) {
      if (Array.isArray(h)) add(h[0], h[1]);
      else add(h.name, h.value);
    }
  } else {
    for (const [k, v] of Object.entries(headers)) add(k, v);
  }
  return out;
}

const ID_RUN = /[A-Za-z0-9+\-_]+/g;

/** Cloudflare's id test for one run of id characters: a hex id or a base-64 id. */
function looksLikeId(run: string): boolean {
  let hex = 0;
  let upper = 0;
  let lower = 0;
  let digits = 0;
  let onlyHex = true;
  for (const c of run) {
    if (c >= "0" && c <= "9") {
      digits++;
      hex++;
    } else if (c >= "a" && c <= "z") {
      lower++;
      if (c <= "f") hex++;
      else onlyHex = false;
    } else if (c >= "A" && c <= "Z") {
      upper++;
      if (c <= "F") hex++;
      else onlyHex = false;
    }
  }
  if (onlyHex && hex >= 32) return true;
  return run.length >= 21 && upper >= 2 && lower >= 2 && digits >= 2;
}

/**
 * Every greedy run of id characters (a-z, A-Z, 0-9, '+', '-', '_') that is a hex id (32 or more
 * hex digits, nothing but hex and separators: UUIDs, SHA-1/256) or a base-64 id (21 or more
 * characters with at least two upper-case letters, two lower-case letters and two digits) becomes
 * "REDACTED", in the path and the query alike.
 */
export function redactUrlIds(url: string): string {
  return url.replace(ID_RUN, (run) => (looksLikeId(run) ? CLOUDFLARE_REDACTED : run));
}

// ---------------------------------------------------------------------------------------------

/** `{"$bigint": "123"}` (how a tail Worker's JSON replacer writes a BigInt) becomes 123, or "123" past 2^53. */
export function reviveBigints(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > 64) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    value.forEach((v, i) => {
      const r = reviveBigints(v, depth + 1);
      if (r !== v) {
        out ??= value.slice();
        out[i] = r;
      }
    });
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === "$bigint" && typeof obj.$bigint === "string" && /^-?\d+$/.test(obj.$bigint)) {
    const n = Number(obj.$bigint);
    return Number.isSafeInteger(n) ? n : obj.$bigint;
  }
  let out: Record<string, unknown> | null = null;
  for (const k of keys) {
    const r = reviveBigints(obj[k], depth + 1);
    if (r !== obj[k]) {
      out ??= { ...obj };
      out[k] = r;
    }
  }
  return out ?? value;
}

/** The item with Cloudflare's redaction applied to its request (headers and URL). */
export function redactTraceItem(item: CloudflareTraceItem): CloudflareTraceItem {
  const request = item.event?.request;
  if (!request) return item;
  return {
    ...item,
    event: {
      ...item.event,
      request: {
        ...request,
        url: redactUrlIds(request.url),
        headers: request.headers == null ? request.headers : redactHeaders(request.headers),
      },
    },
  };
}

/** JSON with object keys sorted at every depth: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const parts = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${parts.join(",")}}`;
}

/**
 * The execution id of a TraceItem: a hash of its redacted, canonical content. A TraceItem carries
 * no invocation id (not even in production: scriptName, eventTimestamp and the request are all
 * that identify it, and timestamps freeze while JS runs), so the content itself is the identity:
 * a resent body maps to the same ids and replaces what it wrote. Hashing after redaction keeps
 * secrets out of the id and gives a raw (getUnredacted) and a runtime-redacted copy of one
 * invocation the same id. Two invocations identical in every field are indistinguishable, and are
 * stored once.
 */
export function cloudflareExecutionId(redacted: CloudflareTraceItem): string {
  return `cf_${createHash("sha256").update(canonicalJson(redacted)).digest("hex").slice(0, 32)}`;
}

export type CloudflareEventKind =
  | "fetch"
  | "scheduled"
  | "alarm"
  | "queue"
  | "email"
  | "tail"
  | "rpc"
  | "websocket"
  | "custom"
  | "unknown";

/** The kind of the triggering event, from its fields (the runtime sends no tag). */
export function eventKind(event: CloudflareTraceItem["event"]): CloudflareEventKind {
  if (!event) return "unknown";
  if (event.request) return "fetch";
  if (event.cron !== undefined) return "scheduled";
  if (event.queue !== undefined) return "queue";
  if (event.mailFrom !== undefined || event.rcptTo !== undefined) return "email";
  if (event.consumedEvents !== undefined) return "tail";
  if (event.rpcMethod !== undefined) return "rpc";
  if (event.getWebSocketEvent !== undefined) return "websocket";
  if (event.scheduledTime !== undefined) return "alarm";
  return "custom";
}

/** ok -> success, canceled -> cancelled, anything else (exception, exceededCpu, unknown...) -> error. */
export function outcomeStatus(outcome: string): SpanRow["status"] {
  if (outcome === "ok") return "success";
  if (outcome === "canceled" || outcome === "cancelled") return "cancelled";
  return "error";
}

const OUTCOME_TEXT: Record<string, string> = {
  exception: "An unhandled exception was thrown.",
  exceededCpu: "The Worker exceeded its CPU time limit.",
  exceededMemory: "The Worker exceeded its memory limit.",
  scriptNotFound: "The script was not found (misconfigured pipeline or the script could not be retrieved).",
  responseStreamDisconnected: "The response stream was disconnected.",
  unknown: "The runtime did not set an outcome.",
  killSwitch: "The Worker was stopped by a kill switch.",
  daemonDown: "The Workers runtime daemon was down.",
  loadShed: "The request was shed under load.",
};

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** A console call as one line: strings as they are, anything else as JSON. */
function logLine(message: unknown): string {
  const args = Array.isArray(message) ? message : [message];
  let line = "";
  for (const a of args) {
    if (line.length > NAME_CHARS) break;
    const text = typeof a === "string" ? a.slice(0, NAME_CHARS + 1) : clipJson(a);
    line += line ? ` ${text}` : text;
  }
  return clip(line.replace(/\s+/g, " ").trim(), NAME_CHARS);
}

function clipJson(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.slice(0, NAME_CHARS + 1);
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname || "/";
  } catch {
    return url;
  }
}

function rootName(kind: CloudflareEventKind, item: CloudflareTraceItem, agent: string): string {
  const e = item.event;
  switch (kind) {
    case "fetch":
      return clip(`${e!.request!.method.toUpperCase()} ${pathOf(e!.request!.url)}`, NAME_CHARS * 2);
    case "scheduled":
      return clip(`scheduled ${e!.cron || "(no cron)"}`, NAME_CHARS);
    case "queue":
      return clip(`queue ${e!.queue}`, NAME_CHARS);
    case "rpc":
      return clip(`rpc ${e!.rpcMethod}`, NAME_CHARS);
    case "websocket":
      return clip(`websocket ${e!.getWebSocketEvent!.webSocketEventType}`, NAME_CHARS);
    case "alarm":
    case "email":
    case "tail":
      return kind;
    default:
      return clip(`${agent} invocation`, NAME_CHARS);
  }
}

/** Fields the contract knows; any other goes to the root span's metadata under `extra`. */
const KNOWN_ITEM_KEYS = new Set(Object.keys(ZCloudflareTraceItem.shape));

/**
 * Maps one validated TraceItem to its execution. `receivedAt` stands in for the start time of an
 * item without eventTimestamp, log or exception timestamps (it does not enter the ids).
 */
export function mapCloudflareTraceItem(raw: CloudflareTraceItem, receivedAt: Date): CloudflareExecution {
  const item = redactTraceItem(raw);
  const executionId = cloudflareExecutionId(item);
  const agent = item.scriptName || DEFAULT_WORKER_AGENT;
  const kind = eventKind(item.event);
  const logs = item.logs ?? [];
  const exceptions = item.exceptions ?? [];
  const diagnostics = item.diagnosticsChannelEvents ?? [];

  // Every instant here was checked storable, and start + wallTime too (ZCloudflareTraceItem).
  const start = new Date(invocationStartMs(item, receivedAt.getTime()));
  const at = (v: CloudflareInstant | null | undefined) => new Date(instantMs(v) ?? start.getTime()).toISOString();
  let endMs = start.getTime() + (item.wallTime ?? 0);
  for (const x of [...logs, ...exceptions, ...diagnostics]) endMs = Math.max(endMs, instantMs(x.timestamp) ?? endMs);
  const end = new Date(endMs).toISOString();
  const status = outcomeStatus(item.outcome);
  const rootId = `${executionId}.invocation`;

  const blank = { ...emptySpanFields(), execution_id: executionId };

  const first = exceptions[0];
  const rootError =
    status === "error"
      ? {
          name: item.outcome,
          message: clip(
            first
              ? `${first.name ?? "Error"}: ${first.message ?? ""}`
              : (OUTCOME_TEXT[item.outcome] ?? `The Worker invocation ended with outcome "${item.outcome}".`),
            ERROR_MESSAGE_CHARS,
          ),
          ...(first?.stack ? { stack: clip(first.stack, ERROR_STACK_CHARS) } : {}),
        }
      : null;

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!KNOWN_ITEM_KEYS.has(k)) extra[k] = v;
  const request = item.event?.request;
  const response = item.event?.response;
  const { request: _request, response: _response, ...eventInfo } = item.event ?? {};

  const spans: SpanRow[] = [
    {
      ...blank,
      id: rootId,
      parent_id: null,
      type: "custom_execution",
      name: rootName(kind, item, agent),
      status,
      started_at: start.toISOString(),
      ended_at: end,
      input: request ? { method: request.method.toUpperCase(), url: request.url } : reviveBigints(item.event ?? null),
      output: response ? { status: response.status } : null,
      error: rootError,
      metadata: {
        source: "cloudflare",
        outcome: item.outcome,
        eventKind: kind,
        scriptName: item.scriptName ?? null,
        eventTimestamp: item.eventTimestamp ?? null,
        wallTime: item.wallTime ?? null,
        cpuTime: item.cpuTime ?? null,
        truncated: item.truncated ?? false,
        executionModel: item.executionModel ?? null,
        entrypoint: item.entrypoint ?? null,
        scriptVersion: item.scriptVersion ?? null,
        dispatchNamespace: item.dispatchNamespace ?? null,
        scriptTags: item.scriptTags ?? null,
        durableObjectId: item.durableObjectId ?? null,
        ...(request && Object.keys(eventInfo).length ? { event: reviveBigints(eventInfo) } : {}),
        ...(Object.keys(extra).length ? { extra: reviveBigints(extra) } : {}),
      },
    },
  ];

  if (request) {
    const httpStatus = response?.status ?? null;
    spans.push({
      ...blank,
      id: `${executionId}.request`,
      parent_id: rootId,
      type: "http_call",
      name: clip(`${request.method.toUpperCase()} ${request.url}`, NAME_CHARS * 2),
      status: (httpStatus === null && status !== "success") || (httpStatus ?? 0) >= 500 ? "error" : "success",
      started_at: start.toISOString(),
      ended_at: end,
      input: {
        method: request.method.toUpperCase(),
        url: request.url,
        headers: request.headers ?? null,
        cf: reviveBigints(request.cf ?? null),
      },
      output: response ? reviveBigints(response) : null,
      http_method: request.method.toUpperCase(),
      http_url: request.url,
      http_status: httpStatus,
    });
  }

  logs.forEach((log, i) => {
    const level = log.level ?? "log";
    spans.push({
      ...blank,
      id: `${executionId}.log.${i}`,
      parent_id: rootId,
      type: "log",
      name: clip(`${level}: ${logLine(log.message)}`, NAME_CHARS + 8),
      status: "success",
      started_at: at(log.timestamp),
      ended_at: at(log.timestamp),
      input: reviveBigints(log.message ?? null),
      metadata: { level, timestamp: log.timestamp ?? null },
    });
  });

  exceptions.forEach((ex, i) => {
    const name = ex.name ?? "Error";
    const message = ex.message ?? "";
    spans.push({
      ...blank,
      id: `${executionId}.exception.${i}`,
      parent_id: rootId,
      type: "error",
      name: clip(`${name}: ${message}`, NAME_CHARS),
      status: "error",
      started_at: at(ex.timestamp),
      ended_at: at(ex.timestamp),
      error: {
        name,
        message: clip(message, ERROR_MESSAGE_CHARS),
        ...(ex.stack ? { stack: clip(ex.stack, ERROR_STACK_CHARS) } : {}),
      },
      metadata: { timestamp: ex.timestamp ?? null },
    });
  });

  diagnostics.forEach((d, i) => {
    spans.push({
      ...blank,
      id: `${executionId}.diagnostics.${i}`,
      parent_id: rootId,
      type: "custom_event",
      name: clip(`diagnostics_channel ${d.channel}`, NAME_CHARS),
      status: "success",
      started_at: at(d.timestamp),
      ended_at: at(d.timestamp),
      input: reviveBigints(d.message ?? null),
      metadata: { channel: d.channel, timestamp: d.timestamp ?? null },
    });
  });

  return {
    executionId,
    spans,
    context: {
      execution_id: executionId,
      agent,
      agent_from_root: true,
      ...emptyContextFields(),
    },
  };
}
