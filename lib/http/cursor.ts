import { isoProblem, isStorableText } from "../contracts/common.ts";
import { ApiError } from "../errors.ts";

/** Opaque keyset cursors: the sort key of the last row of a page, base64url JSON. */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/**
 * Decodes a cursor of `arity` strings (a timestamp first when `timestamped`); 400 otherwise. A
 * cursor is client input that reaches SQL: every part must be text Postgres stores, and the
 * timestamp a storable instant, passed on as the ISO string Postgres reads (whatever form Date.parse
 * accepted).
 */
export function decodeCursor(cursor: string, arity: number, timestamped = true): string[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parts) || parts.length !== arity) throw invalidCursor();
  if (!parts.every((x) => typeof x === "string" && isStorableText(x))) throw invalidCursor();
  if (!timestamped) return parts;
  if (isoProblem(parts[0])) throw invalidCursor();
  return [new Date(parts[0]).toISOString(), ...parts.slice(1)];
}

function invalidCursor(): ApiError {
  return new ApiError(400, "validation_error", "The cursor is not valid.", [
    { path: "cursor", message: "Invalid cursor." },
  ]);
}
