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

/** A copy of `value` with every string (keys included) cleaned; other values as they are. */
export function cleanStrings(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return cleanString(value);
  if (value === null || typeof value !== "object" || depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => cleanStrings(v, depth + 1));
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value))
    out[cleanString(k)] = cleanStrings((value as Record<string, unknown>)[k], depth + 1);
  return out;
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
  ["tokens_input", "int"],
  ["tokens_output", "int"],
  ["tokens_total", "int"],
  ["http_method", "text"],
  ["http_url", "text"],
  ["http_status", "int"],
  ["message", "jsonb"],
  ["message_role", "text"],
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

/** One span as a line of COPY text: the workspace id, then the columns in SPAN_COPY_COLUMNS order. */
function copyLine(workspace: string, r: SpanRow): string {
  return `${workspace}\t${copyText(r.id)}\t${copyText(r.execution_id)}\t${copyNullable(r.parent_id)}\t${copyText(r.type)}\t${copyText(r.name)}\t${copyNullable(r.step_type)}\t${copyText(r.status)}\t${copyText(r.started_at)}\t${copyNullable(r.ended_at)}\t${copyJson(r.input)}\t${copyJson(r.output)}\t${copyJson(r.metadata)}\t${copyJson(r.error)}\t${copyJson(r.llm)}\t${copyNullable(r.llm_model)}\t${copyInt(r.tokens_input)}\t${copyInt(r.tokens_output)}\t${copyInt(r.tokens_total)}\t${copyNullable(r.http_method)}\t${copyNullable(r.http_url)}\t${copyInt(r.http_status)}\t${copyJson(r.message)}\t${copyNullable(r.message_role)}\n`;
}

/**
 * Span rows in the text format of `COPY … FROM STDIN`, columns `workspace_id` and then
 * SPAN_COPY_COLUMNS (the layout of `spans` itself, so the writer can copy straight into it), strings
 * Postgres would reject cleaned.
 */
export function spanCopyText(workspaceId: string, rows: readonly SpanRow[]): string {
  const workspace = copyText(workspaceId);
  let out = "";
  for (const r of rows) out += copyLine(workspace, r);
  return out;
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
