import type { SpanRow } from "./model.ts";

/**
 * How span rows travel from the web process to Postgres: serialized once, as the text that the
 * writer hands to Postgres unchanged (the queue stores it beside the job; the worker never parses
 * it). Postgres rejects two things JavaScript strings can hold: U+0000 (in text and in jsonb) and
 * unpaired surrogates (in jsonb, as `\ud800` escapes). One such string would fail the whole batch
 * after it was accepted, so both become U+FFFD, the replacement character, before serializing.
 */

const REPLACEMENT = "\uFFFD";

/** `s` with U+0000 and unpaired surrogates replaced by U+FFFD. */
export function cleanString(s: string): string {
  const wellFormed = s.isWellFormed() ? s : s.toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replaceAll("\u0000", REPLACEMENT) : wellFormed;
}

type Container = Record<string, unknown> | unknown[];

/** Arrays and plain objects are copied; values serialized by their own toJSON (Date) are kept. */
const isContainer = (v: unknown): v is Container =>
  typeof v === "object" && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== "function";

/**
 * A copy of `value` with every string (keys included) cleaned, at any depth (iteratively: deep
 * payloads must neither overflow the stack nor keep a string Postgres rejects); other values as
 * they are. `value` is JSON (no cycles): every caller has just serialized it.
 */
export function cleanStrings(value: unknown): unknown {
  const pending: [Container, Container][] = [];
  const copy = (v: unknown): unknown => {
    if (typeof v === "string") return cleanString(v);
    if (!isContainer(v)) return v;
    const out: Container = Array.isArray(v) ? new Array(v.length) : {};
    pending.push([v, out]);
    return out;
  };
  const root = copy(value);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [from, to] = next;
    if (Array.isArray(from)) {
      for (let i = 0; i < from.length; i++) (to as unknown[])[i] = copy(from[i]);
      continue;
    }
    for (const k of Object.keys(from)) {
      const key = cleanString(k);
      const v = copy(from[k]);
      // A "__proto__" key stays an own property, as JSON.parse made it (assigning would set the prototype).
      if (key === "__proto__")
        Object.defineProperty(to, key, { value: v, enumerable: true, writable: true, configurable: true });
      else (to as Record<string, unknown>)[key] = v;
    }
  }
  return root;
}

/**
 * JSON.stringify writes U+0000 and unpaired surrogates as `\u` escapes (and other strings without
 * one, except control characters), so JSON without a backslash-u needs no cleaning: one scan of the
 * text. `\\u` (an escaped backslash before a "u") also matches, which only costs a needless clean.
 */
function mayNeedCleaning(json: string): boolean {
  return json.includes("\\u");
}

/** `rows`, or cleaned copies of them when their JSON shows a string Postgres would reject. */
export function cleanRows<T>(rows: T[]): T[] {
  return mayNeedCleaning(JSON.stringify(rows)) ? (rows.map((r) => cleanStrings(r)) as T[]) : rows;
}

/** JSON of rows for a jsonb parameter, with strings Postgres would reject cleaned. */
export function rowsJson(rows: readonly unknown[]): string {
  const json = JSON.stringify(rows);
  return mayNeedCleaning(json) ? JSON.stringify(cleanStrings(rows)) : json;
}

/**
 * The span columns of COPY text after `workspace_id`, in order, with their types (also those of the
 * JSON rows PGlite upserts from).
 */
export const SPAN_COPY_COLUMNS = [
  ["id", "text"],
  ["execution_id", "text"],
  ["parent_id", "text"],
  ["type", "text"],
  ["name", "text"],
  ["step_type", "text"],
  ["status", "text"],
  ["started_at", "timestamptz"],
  ["ended_at", "timestamptz"],
  ["input", "jsonb"],
  ["output", "jsonb"],
  ["metadata", "jsonb"],
  ["error", "jsonb"],
  ["llm", "jsonb"],
  ["llm_model", "text"],
  ["tokens_input", "bigint"],
  ["tokens_output", "bigint"],
  ["tokens_total", "bigint"],
  ["http_method", "text"],
  ["http_url", "text"],
  ["http_status", "int"],
  ["message", "jsonb"],
  ["message_role", "text"],
  ["cost", "float8"],
  ["version", "bigint"],
] as const satisfies readonly (readonly [keyof SpanRow, string])[];

/**
 * `s` as a field of COPY's text format: backslash, newline, carriage return and tab escaped, and
 * cleaned (cleanString) when it holds U+0000 or a surrogate (paired ones stay as they are).
 */
function copyText(s: string): string {
  if (!SPECIAL.test(s)) return s;
  const out = UNSTORABLE.test(s) ? cleanString(s) : s;
  return out.replace(ESCAPED, escapeChar);
}
const SPECIAL = /[\\\n\r\t\0\ud800-\udfff]/;
const UNSTORABLE = /[\0\ud800-\udfff]/;
const ESCAPED = /[\\\n\r\t]/g;
const escapeChar = (c: string) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t");

/**
 * A JSON value as a COPY field. JSON text has no raw control characters, so only backslashes need
 * doubling; JSON.stringify writes U+0000 and unpaired surrogates as `\u` escapes, so JSON without a
 * backslash needs no cleaning either (with one, `\u` may also be an escaped backslash before a "u":
 * then cleaning changes nothing).
 */
function copyJson(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  let j = JSON.stringify(value);
  if (j === undefined) return "\\N";
  if (!j.includes("\\")) return j;
  if (j.includes("\\u")) j = JSON.stringify(cleanStrings(value));
  return j.replaceAll("\\", "\\\\");
}

const copyNullable = (s: string | null | undefined) => (s === null || s === undefined ? "\\N" : copyText(s));
const copyInt = (n: number | null | undefined) => (n === null || n === undefined ? "\\N" : `${n}`);

/**
 * One span as a line of COPY text: the workspace id, then the columns in SPAN_COPY_COLUMNS order.
 * Joined from an array, not a template literal: a template of 50 parts builds a rope of that many
 * strings per line, and flattening the batch's rope (for the socket, or Redis) walked every node,
 * which cost more than building it (docs/performance.md › Real traffic › The COPY text's ropes).
 */
function copyLine(workspace: string, r: SpanRow): string {
  return [
    workspace,
    copyText(r.id),
    copyText(r.execution_id),
    copyNullable(r.parent_id),
    copyText(r.type),
    copyText(r.name),
    copyNullable(r.step_type),
    copyText(r.status),
    copyText(r.started_at),
    copyNullable(r.ended_at),
    copyJson(r.input),
    copyJson(r.output),
    copyJson(r.metadata),
    copyJson(r.error),
    copyJson(r.llm),
    copyNullable(r.llm_model),
    copyInt(r.tokens_input),
    copyInt(r.tokens_output),
    copyInt(r.tokens_total),
    copyNullable(r.http_method),
    copyNullable(r.http_url),
    copyInt(r.http_status),
    copyJson(r.message),
    copyNullable(r.message_role),
    copyInt(r.cost),
    `${r.version ?? 0}\n`,
  ].join("\t");
}

/**
 * Span rows in the text format of `COPY … FROM STDIN`, columns `workspace_id` and then
 * SPAN_COPY_COLUMNS (the layout of `spans` itself, so the writer can copy straight into it), strings
 * Postgres would reject cleaned. One flat string (see copyLine).
 */
export function spanCopyText(workspaceId: string, rows: readonly SpanRow[]): string {
  const workspace = copyText(workspaceId);
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) lines[i] = copyLine(workspace, rows[i]);
  return lines.join("");
}

/**
 * COPY text of a job queued before lines started with the workspace id (SpanCopyJob.layout absent),
 * in today's layout.
 */
export function withWorkspaceColumn(workspaceId: string, copy: string): string {
  const workspace = `${copyText(workspaceId)}\t`;
  let out = "";
  let start = 0;
  while (start < copy.length) {
    const end = copy.indexOf("\n", start);
    const stop = end < 0 ? copy.length : end + 1;
    out += workspace + copy.slice(start, stop);
    start = stop;
  }
  return out;
}
