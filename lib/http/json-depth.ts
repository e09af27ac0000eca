import { MAX_JSON_DEPTH } from "../contracts/common.ts";
import { ApiError } from "../errors.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether the JSON text in `bytes` nests arrays and objects deeper than `max`, read without
 * recursion and before anything parses it: every later step (validation, redaction, Postgres's
 * own jsonb parser) may recurse, and a few kilobytes of brackets must not reach them. Brackets
 * inside strings do not count. UTF-8 continuation bytes are never ASCII, so scanning bytes is
 * exact. Malformed JSON is left to the parser.
 */
export function jsonDepthExceeds(bytes: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  if (bytes.length <= max) return false; // each level takes at least one byte
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      i = closingQuote(bytes, i);
      continue;
    }
    if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** The index of the quote closing the string opened at `open` (string contents are skipped natively). */
function closingQuote(bytes: Uint8Array, open: number): number {
  let at = open;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at < 0) return bytes.length;
    let slashes = 0;
    while (bytes[at - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
  }
}

/** 400 `too_deep`: a JSON body nested deeper than the API's limit. */
export const tooDeep = () =>
  new ApiError(
    400,
    "too_deep",
    `The JSON body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels, the limit of this API.`,
  );

/** 400 `too_deep` for a JSON body nested deeper than the API's limit. */
export function assertJsonDepth(bytes: Uint8Array): void {
  if (jsonDepthExceeds(bytes)) throw tooDeep();
}
