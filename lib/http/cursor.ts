import { ApiError } from "./errors.ts";

/** Opaque keyset cursors: the sort key of the last row of a page, base64url JSON. */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/** Decodes a cursor of `arity` strings (a timestamp first when `timestamped`); 400 otherwise. */
export function decodeCursor(cursor: string, arity: number, timestamped = true): string[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(v) &&
      v.length === arity &&
      v.every((x) => typeof x === "string") &&
      (!timestamped || !Number.isNaN(Date.parse(v[0])))
    ) {
      return v;
    }
  } catch {
    // fall through
  }
  throw new ApiError(400, "validation_error", "The cursor is not valid.", [
    { path: "cursor", message: "Invalid cursor." },
  ]);
}
