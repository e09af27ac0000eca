import { createHash } from "node:crypto";
import { epochProblem } from "../../../contracts/common.ts";
import type { ChatMessage } from "../../../contracts/messages.ts";
import type { OtlpLogRecord, OtlpLogsRequest } from "../../../contracts/otlp.ts";
import { messageContent } from "../../../messages/turns.ts";
import { DEFAULT_AGENT, type ExecutionContext, emptyContextFields, type SpanRow } from "../../model.ts";
import { isGenAiMessageEvent, readGenAi } from "./genai.ts";
import type { OtlpMapping } from "./map.ts";
import { spanRow } from "./row.ts";
import { type Attrs, attributesToObject, clip, compact, isRecord, str } from "./values.ts";

/**
 * Maps an OTLP ExportLogsServiceRequest to span rows attached to the spans the records name (the
 * span may be stored already, or arrive later): a record is stored as a child span of its span,
 * in the execution of its trace (the trace id, as the traces adapter names it). GenAI message
 * events (`gen_ai.{system,user,assistant,tool}.message`, `gen_ai.choice`, and
 * `gen_ai.client.inference.operation.details` with its input and output messages) become
 * `conversation_message` children, the turns the call adds to the chat; history an event resends
 * and every other record become `log` children (`error` when the record carries an exception).
 * Ids are `<span id>-l<time in ns>-<position in the request>-<hash of the record>`, so a resend of
 * the request (what exporters retry) stores nothing twice. A record without a
 * trace and span id has nothing to attach to and is rejected (partial success says which).
 */

const MAX_NAME = 256;
const MAX_REASONS = 5;
const DETAILS_EVENT = "gen_ai.client.inference.operation.details";
/** SeverityNumber ERROR and above (the OTel log data model): the log span shows as failed. */
const SEVERITY_ERROR = 17;

/** One accepted record with what the mapping needs. */
type ReadRecord = {
  traceId: string;
  spanId: string;
  id: string;
  at: string;
  name: string;
  attrs: Attrs;
  body: unknown;
  record: OtlpLogRecord;
  resource: Attrs;
  scope: Attrs | undefined;
};

export function mapLogsRequest(req: OtlpLogsRequest): OtlpMapping {
  const accepted: ReadRecord[] = [];
  const perSpan = new Map<string, number>();
  /** The record's position among this request's records of its span. */
  const seq = (spanId: string) => {
    const n = perSpan.get(spanId) ?? 0;
    perSpan.set(spanId, n + 1);
    return n;
  };
  const reasons: string[] = [];
  let rejected = 0;
  for (const rl of req.resourceLogs ?? []) {
    const resource = attributesToObject(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      const scope = sl.scope?.name
        ? compact({ name: sl.scope.name, version: sl.scope.version || undefined })
        : undefined;
      (sl.logRecords ?? []).forEach((record, i) => {
        const problem = invalidRecord(record);
        if (problem) {
          rejected++;
          if (reasons.length < MAX_REASONS) reasons.push(`log record ${i}: ${problem}`);
          return;
        }
        accepted.push(readRecord(record, resource, scope, seq));
      });
    }
  }
  return { spans: rowsOf(accepted), executions: executionContexts(accepted), rejected, reasons };
}

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString("hex") : "");
const isId = (b: Uint8Array | undefined, bytes: number): b is Uint8Array =>
  b?.length === bytes && !b.every((x) => x === 0);
const nanosToMs = (nanos: string | undefined): number => (nanos ? Number(BigInt(nanos) / 1_000_000n) : 0);

/** Why a record cannot be stored, or null. */
function invalidRecord(r: OtlpLogRecord): string | null {
  if (r.unreadable) return r.unreadable;
  if (!isId(r.traceId, 16) || !isId(r.spanId, 8))
    return "traceId and spanId are required (a log record is stored on the span it names; emit it inside an active span)";
  for (const [field, nanos] of [
    ["timeUnixNano", r.timeUnixNano],
    ["observedTimeUnixNano", r.observedTimeUnixNano],
  ] as const) {
    const problem = nanos && nanos !== "0" ? epochProblem(BigInt(nanos), "nanoseconds") : null;
    if (problem) return `${field}: ${problem}`;
  }
  if (!nanosToMs(r.timeUnixNano) && !nanosToMs(r.observedTimeUnixNano))
    return "timeUnixNano and observedTimeUnixNano are both missing";
  return null;
}

function readRecord(
  record: OtlpLogRecord,
  resource: Attrs,
  scope: Attrs | undefined,
  seq: (spanId: string) => number,
): ReadRecord {
  const traceId = hex(record.traceId);
  const spanId = hex(record.spanId);
  const attrs = attributesToObject(record.attributes);
  const body = attributesToObject([{ key: "body", value: record.body }]).body;
  const name = record.eventName || str(attrs["event.name"]) || "";
  // The record's identity: the same record sent again hashes the same.
  const hash = createHash("sha256")
    .update(
      JSON.stringify([
        traceId,
        spanId,
        record.timeUnixNano ?? "",
        record.observedTimeUnixNano ?? "",
        name,
        record.severityNumber ?? 0,
        record.severityText ?? "",
        body,
        attrs,
      ]),
    )
    .digest("hex")
    .slice(0, 12);
  const nanos = nanosToMs(record.timeUnixNano) ? record.timeUnixNano! : record.observedTimeUnixNano!;
  const at = new Date(nanosToMs(nanos)).toISOString();
  // Spans of one instant sort by id: the time, then the position among the span's records of this
  // request (SDKs stamp records in milliseconds), keep records in the order they were emitted.
  const position = String(seq(spanId)).padStart(4, "0");
  const id = `${spanId}-l${nanos.padStart(20, "0")}-${position}-${hash}`;
  return { traceId, spanId, id, at, name, attrs, body, record, resource, scope };
}

// ---------------------------------------------------------------------------------------------
// Rows

/** A message of a GenAI event record, and whether it is the call's input or output. */
type EventMessage = { r: ReadRecord; message: ChatMessage; side: "input" | "output" };

function rowsOf(records: ReadRecord[]): SpanRow[] {
  const rows: SpanRow[] = [];
  const messagesBySpan = new Map<string, EventMessage[]>();
  for (const r of records) {
    if (r.name === DETAILS_EVENT) {
      rows.push(...detailsRows(r));
      continue;
    }
    const message = isGenAiMessageEvent(r.name) ? eventMessage(r) : null;
    if (!message) {
      rows.push(logRow(r));
      continue;
    }
    const key = `${r.traceId}/${r.spanId}`;
    const list = messagesBySpan.get(key) ?? [];
    list.push(message);
    messagesBySpan.set(key, list);
  }
  for (const list of messagesBySpan.values()) rows.push(...messageEventRows(list));
  return rows;
}

/** The message of one message event: its body read as the GenAI conventions read span events. */
function eventMessage(r: ReadRecord): EventMessage | null {
  const eventAttrs = isRecord(r.body) ? { ...r.body } : { content: r.body };
  const reading = readGenAi({}, [{ name: r.name, attrs: eventAttrs }]);
  const output = reading.output as ChatMessage[] | undefined;
  const input = reading.input as ChatMessage[] | undefined;
  if (output?.[0]) return { r, message: output[0], side: "output" };
  if (input?.[0]) return { r, message: input[0], side: "input" };
  return null;
}

/**
 * One call's message events: the turns it adds (input after its last assistant message, then the
 * choices) as conversation messages; the history before them as log children keeping the message.
 */
function messageEventRows(list: EventMessage[]): SpanRow[] {
  let lastAssistant = -1;
  list.forEach((m, i) => {
    if (m.side === "input" && m.message.role === "assistant") lastAssistant = i;
  });
  return list.map((m, i) => {
    if (i > lastAssistant || m.side === "output") return messageRow(m.r, m.r.id, m.message);
    const row = logRow(m.r);
    return { ...row, metadata: { ...(row.metadata as Attrs), message: m.message } };
  });
}

/** `gen_ai.client.inference.operation.details`: the call's new turns from its input and output messages. */
function detailsRows(r: ReadRecord): SpanRow[] {
  const reading = readGenAi(r.attrs, []);
  const input = (reading.input as ChatMessage[] | undefined) ?? [];
  let lastAssistant = -1;
  input.forEach((m, i) => {
    if (m.role === "assistant") lastAssistant = i;
  });
  const turns = [...input.slice(lastAssistant + 1), ...((reading.output as ChatMessage[] | undefined) ?? [])];
  const rows = turns
    .filter((m) => m.parts.length > 0)
    .map((m, i) => messageRow(r, `${r.id}-m${String(i).padStart(4, "0")}`, m));
  return rows.length ? rows : [logRow(r)];
}

function messageRow(r: ReadRecord, id: string, m: ChatMessage): SpanRow {
  const role = m.role.slice(0, 64);
  const metadata: Attrs = { sourceSpanId: r.spanId, eventName: r.name };
  if (m.name) metadata.name = m.name;
  if (m.finishReason) metadata.finishReason = m.finishReason;
  const row = spanRow(
    {
      id,
      execution_id: r.traceId,
      parent_id: r.spanId,
      type: "conversation_message",
      name: role,
      status: "success",
      started_at: r.at,
    },
    r.at,
  );
  row.message = { role, content: messageContent(m), metadata };
  row.message_role = role;
  return row;
}

function logRow(r: ReadRecord): SpanRow {
  const { record } = r;
  const exception = str(r.attrs["exception.type"]) ?? str(r.attrs["exception.message"]);
  const severe = (record.severityNumber ?? 0) >= SEVERITY_ERROR;
  const row = spanRow(
    {
      id: r.id,
      execution_id: r.traceId,
      parent_id: r.spanId,
      type: exception ? "error" : "log",
      name: clip(r.name || exception || firstLine(r.body) || record.severityText || "log", MAX_NAME)!,
      status: exception || severe ? "error" : "success",
      started_at: r.at,
    },
    r.at,
  );
  row.metadata = compact({
    body: r.body ?? undefined,
    severityNumber: record.severityNumber || undefined,
    severityText: record.severityText || undefined,
    eventName: r.name || undefined,
    attributes: Object.keys(r.attrs).length ? r.attrs : undefined,
    resource: r.resource,
    scope: r.scope,
  });
  row.error = exception
    ? compact({
        name: clip(str(r.attrs["exception.type"]), MAX_NAME) ?? undefined,
        message: str(r.attrs["exception.message"]) ?? exception,
        stack: str(r.attrs["exception.stacktrace"]) ?? undefined,
      })
    : null;
  return row;
}

const firstLine = (body: unknown): string | null => (typeof body === "string" ? body.split("\n")[0].trim() : null);

// ---------------------------------------------------------------------------------------------
// Executions

/**
 * Per trace: the agent is the first record's `service.name`, never winning over one a root span
 * gave; the thread is a `gen_ai.conversation.id` or `session.id` a record carries.
 */
function executionContexts(records: ReadRecord[]): ExecutionContext[] {
  const byTrace = new Map<string, ReadRecord[]>();
  for (const r of records) byTrace.set(r.traceId, [...(byTrace.get(r.traceId) ?? []), r]);
  return [...byTrace].map(([executionId, list]) => {
    const pick = (key: string) =>
      list.map((r) => clip(str(r.attrs[key] ?? r.resource[key]), 256)).find(Boolean) ?? null;
    const session = pick("session.id");
    return {
      execution_id: executionId,
      agent: clip(str(list[0].resource["service.name"]), 256) ?? DEFAULT_AGENT,
      agent_from_root: false,
      ...emptyContextFields(),
      thread_id: pick("gen_ai.conversation.id") ?? session,
      session_id: session,
    };
  });
}
