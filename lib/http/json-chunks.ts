import { Tokenizer, TokenType } from "@streamparser/json";
import { MAX_JSON_DEPTH } from "../contracts/common.ts";
import { ApiError } from "../errors.ts";
import type { Slicer } from "../event-loop.ts";
import { tooDeep } from "./json-depth.ts";
import { tooLarge } from "./respond.ts";

/**
 * JSON read piece by piece, for bodies too large to parse at once on the server's thread
 * (JSON.parse of 20 MB holds it for half a second or more, and so does the one string the bytes
 * become first). The tokenizer is @streamparser/json's; values are assembled here, because its own
 * assembler sets `__proto__` keys as a prototype where JSON.parse (and the API contract) keeps them
 * as ordinary keys. The result equals JSON.parse's for every valid text (tests compare them);
 * invalid text is refused with 400 `invalid_json` and nesting past MAX_JSON_DEPTH with 400
 * `too_deep`, as readJson does (a text that is both is refused for whichever comes first).
 */

/** Bytes tokenized between two checks of the slicer: about a millisecond of work. */
export const JSON_PIECE_BYTES = 64 * 1024;

type Container = Record<string, unknown> | unknown[];

/** What the next token may be. */
enum Expect {
  /** A value (the root, an array element after a comma, an object value after its colon). */
  Value,
  /** A value or `]` (just after `[`). */
  ValueOrClose,
  /** A key or `}` (just after `{`). */
  KeyOrClose,
  Key,
  Colon,
  /** `,` or the container's closing bracket, after one of its values. */
  CommaOrClose,
  /** Nothing: the root value is complete. */
  End,
}

const invalid = (message: string) =>
  new ApiError(400, "invalid_json", `The request body is not valid JSON: ${message}`);

/** Builds values from tokens with an explicit stack of open containers (no recursion at any depth). */
class Assembler {
  private readonly open: Container[] = [];
  private readonly keys: (string | null)[] = [];
  private expect = Expect.Value;
  private root: unknown = undefined;

  constructor(private readonly maxDepth: number) {}

  token(type: TokenType, value: unknown, offset: number): void {
    switch (this.expect) {
      case Expect.Key:
      case Expect.KeyOrClose:
        if (type === TokenType.STRING) {
          this.keys[this.keys.length - 1] = value as string;
          this.expect = Expect.Colon;
        } else if (type === TokenType.RIGHT_BRACE && this.expect === Expect.KeyOrClose) this.close();
        else throw unexpected(value, offset);
        return;
      case Expect.Colon:
        if (type !== TokenType.COLON) throw unexpected(value, offset);
        this.expect = Expect.Value;
        return;
      case Expect.CommaOrClose: {
        const inArray = Array.isArray(this.open[this.open.length - 1]);
        if (type === TokenType.COMMA) this.expect = inArray ? Expect.Value : Expect.Key;
        else if (type === (inArray ? TokenType.RIGHT_BRACKET : TokenType.RIGHT_BRACE)) this.close();
        else throw unexpected(value, offset);
        return;
      }
      case Expect.End:
        throw unexpected(value, offset);
      default:
        if (type === TokenType.RIGHT_BRACKET && this.expect === Expect.ValueOrClose) this.close();
        else if (type === TokenType.LEFT_BRACE) this.push({}, Expect.KeyOrClose);
        else if (type === TokenType.LEFT_BRACKET) this.push([], Expect.ValueOrClose);
        else if (
          type === TokenType.STRING ||
          type === TokenType.NUMBER ||
          type === TokenType.TRUE ||
          type === TokenType.FALSE ||
          type === TokenType.NULL
        )
          this.add(value);
        else throw unexpected(value, offset);
    }
  }

  /** The parsed value; throws when the text ended before it was complete. */
  result(): unknown {
    if (this.expect !== Expect.End) throw invalid("Unexpected end of JSON input");
    return this.root;
  }

  private push(container: Container, expect: Expect): void {
    if (this.open.length >= this.maxDepth) throw tooDeep();
    this.open.push(container);
    this.keys.push(null);
    this.expect = expect;
  }

  private close(): void {
    this.keys.pop();
    this.add(this.open.pop());
  }

  private add(value: unknown): void {
    const parent = this.open[this.open.length - 1];
    if (parent === undefined) {
      this.root = value;
      this.expect = Expect.End;
      return;
    }
    if (Array.isArray(parent)) parent.push(value);
    else {
      const key = this.keys[this.keys.length - 1] as string;
      // Assigning "__proto__" would set the prototype: like JSON.parse, keep it an own key.
      if (key === "__proto__")
        Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
      else parent[key] = value;
    }
    this.expect = Expect.CommaOrClose;
  }
}

const unexpected = (value: unknown, offset: number) =>
  invalid(`Unexpected ${JSON.stringify(value)} at position ${offset}`);

/**
 * Parses JSON arriving in chunks of UTF-8 bytes, `JSON_PIECE_BYTES` at a time, stepping `slices`
 * after each piece. No bytes at all give `undefined` (as readJson does for an empty body).
 */
export async function parseJsonChunks(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  slices: Slicer,
  { maxDepth = MAX_JSON_DEPTH }: { maxDepth?: number } = {},
): Promise<unknown> {
  const assembler = new Assembler(maxDepth);
  const tokenizer = new Tokenizer();
  tokenizer.onToken = ({ token, value, offset }) => assembler.token(token, value, offset);
  let first = true;
  let empty = true;
  try {
    for await (const chunk of chunks) {
      if (chunk.byteLength === 0) continue;
      // JSON.parse refuses a byte order mark; the tokenizer would skip it.
      if (first && chunk[0] === 0xef) throw invalid("Unexpected byte order mark at position 0");
      first = false;
      empty = false;
      for (let at = 0; at < chunk.byteLength; at += JSON_PIECE_BYTES) {
        tokenizer.write(chunk.subarray(at, at + JSON_PIECE_BYTES));
        const turn = slices.step();
        if (turn) await turn;
      }
    }
    if (empty) return undefined;
    tokenizer.end();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw invalid((e as Error).message);
  }
  return assembler.result();
}

/**
 * A request body as it arrives, refused with 413 past `maxBytes` (declared or actually read). The
 * rest is not read once the consumer stops (an early 400).
 */
export async function* requestBodyChunks(req: Request, maxBytes: number): AsyncGenerator<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return;
  const reader = req.body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
