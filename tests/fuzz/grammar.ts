import fc from "fast-check";
import { MAX_JSON_DEPTH } from "@/lib/contracts/common";
import type { RouteMethod } from "@/lib/http/methods";
import { type RouteSpec, unservedMethods } from "../helpers/api-routes";

/**
 * The grammar of hostile requests: for one route, a request whose method, path ids, query string,
 * body, content type and credentials are drawn from values that broke servers before (NUL, lone
 * surrogates, prototype keys, dates outside every range, numbers beyond every type, deep nesting,
 * forged cursors), mixed with well-formed values so that requests also reach the deepest code.
 * Each case records the classes it belongs to, for the tally in docs/reliability.md.
 */

export type Credential = "owner" | "key" | "viewer" | "none" | "wrongKey";

export type FuzzCase = {
  method: string;
  /** Path params as the route receives them (decoded); "$real" is the world's id of that kind. */
  params: Record<string, string>;
  query: [string, string][];
  body: Uint8Array | null;
  contentType: string | null;
  credential: Credential;
  /** A `runlens_workspace` cookie sent beside the session, as it stands in the Cookie header. */
  workspaceCookie: string | null;
  classes: string[];
};

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

const NUL = ["\u0000", "a\u0000b", "%00"];
const SURROGATES = ["\ud800", "\udfff", "x\ud83d", "\ude42y"];
const PROTO_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "__defineGetter__"];
const BAD_DATES = [
  "0000-01-01T00:00:00Z",
  "-271821-04-20T00:00:00.000Z",
  "+275760-09-13T00:00:00.000Z",
  "+010000-01-01T00:00:00.000Z",
  "9999-12-31T23:59:59.999Z",
  "2026-02-30T00:00:00Z",
  "-8640000000000000",
  "8640000000000001",
  "99999999999999999999",
  "1e308",
  "-1",
  "US/Pacific-New",
  "",
];
const NUMBERS = ["-1", "0", "1e309", "NaN", "Infinity", "9007199254740993", "-0", "0x10", "1.5", "2147483648"];
const TEXT = [
  "' OR '1'='1",
  "%",
  "_",
  "\\",
  "../../etc/passwd",
  "é🙂",
  "\u202e",
  "<script>",
  " ",
  "x".repeat(5000),
  "null",
  "[]",
];

/** A forged cursor: base64url of JSON Postgres (or the decoder) must never see unchecked. */
const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const CURSORS = [
  cursorOf(["-271821-04-20T00:00:00.000Z", "x"]),
  cursorOf(["+275760-09-13T00:00:00.000Z", "x"]),
  cursorOf(["0000-01-01T00:00:00Z", "x"]),
  cursorOf(["2026-01-01T00:00:00.000Z", "a\u0000b"]),
  cursorOf(["2026-01-01T00:00:00.000Z", "\ud800"]),
  cursorOf(["1", "x"]),
  cursorOf([1, 2]),
  cursorOf(JSON.parse('{"__proto__":1}')),
  Buffer.from("99999999999999999999").toString("base64url"),
  Buffer.from("-5").toString("base64url"),
  "%%%",
  "A".repeat(400),
];

type Tagged = { value: string; cls: string };
const tag = (cls: string, values: string[]) => fc.constantFrom(...values).map((value): Tagged => ({ value, cls }));

/** A hostile value for a query parameter, drawn mostly from what that parameter is parsed as. */
function valueFor(name: string): fc.Arbitrary<Tagged> {
  const likely =
    name === "cursor"
      ? tag("bad cursor", CURSORS)
      : /^(from|to|dateFrom|dateTo)$/.test(name)
        ? tag("bad date", BAD_DATES)
        : /^(limit|offset)$/.test(name)
          ? tag("huge or odd number", NUMBERS)
          : null;
  return likely ? fc.oneof({ weight: 3, arbitrary: likely }, hostileString) : hostileString;
}

/** A hostile string and its class. */
export const hostileString: fc.Arbitrary<Tagged> = fc.oneof(
  tag("NUL", NUL),
  tag("lone surrogate", SURROGATES),
  tag("prototype key", PROTO_KEYS),
  tag("bad date", BAD_DATES),
  tag("huge or odd number", NUMBERS),
  tag("odd text", TEXT),
  tag("bad cursor", CURSORS),
  fc.string({ maxLength: 40 }).map((value): Tagged => ({ value, cls: "random text" })),
  fc.string({ unit: "binary", maxLength: 20 }).map((value): Tagged => ({ value, cls: "random text" })),
);

const NUMERIC = [1e308, -1e308, 8.64e15, -8.64e15, 2 ** 53 + 2, -(2 ** 63), 1e-320, -0, 0.5, 253402300800000];

/** JSON text of `depth` nested arrays or objects around a value (built as text: no stack needed). */
export function nestedJson(depth: number, objects: boolean): string {
  return objects ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}1${"]".repeat(depth)}`;
}

/** A hostile JSON value as text (prototype keys stay own keys), with its classes. */
const hostileJson: fc.Arbitrary<{ text: string; classes: string[] }> = fc.letrec<{
  value: { text: string; classes: string[] };
}>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString.map((s) => ({ text: JSON.stringify(s.value), classes: [s.cls] })),
    fc.constantFrom(...NUMERIC).map((n) => ({ text: JSON.stringify(n), classes: ["huge or odd number"] })),
    fc.constantFrom("true", "false", "null", '""', "{}", "[]").map((text) => ({ text, classes: ["wrong type"] })),
    fc.array(tie("value"), { maxLength: 4 }).map((xs) => ({
      text: `[${xs.map((x) => x.text).join(",")}]`,
      classes: ["wrong type", ...xs.flatMap((x) => x.classes)],
    })),
    fc
      .array(
        fc.tuple(
          fc.oneof(
            hostileString,
            fc.string({ maxLength: 8 }).map((value) => ({ value, cls: "" })),
          ),
          tie("value"),
        ),
        { maxLength: 4 },
      )
      .map((kvs) => ({
        text: `{${kvs.map(([k, v]) => `${JSON.stringify(k.value)}:${v.text}`).join(",")}}`,
        classes: [
          "wrong type",
          ...kvs.flatMap(([k, v]) => [k.cls === "prototype key" ? "prototype key" : "", ...v.classes]),
        ],
      })),
  ),
})).value;

/** A JSON text as a tree of paths into a seed body, for mutation. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length ? [prefix] : [];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...prefix, i]));
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** The seed body's JSON with the value at `path` replaced by raw JSON text (a key added when `add`). */
function replaceAt(seed: unknown, path: (string | number)[], text: string, add: string | null): string {
  const MARK = "\u0001FUZZ\u0001";
  const copy = structuredClone(seed) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (add !== null) {
    const target = (node[last] && typeof node[last] === "object" ? node[last] : node) as Record<string, unknown>;
    Object.defineProperty(target, add, { value: MARK, enumerable: true, writable: true, configurable: true });
  } else node[last] = MARK;
  return JSON.stringify(copy).replace(JSON.stringify(MARK), text);
}

type Body = { body: Uint8Array | null; classes: string[] };

function bodyArbitrary(seed: unknown): fc.Arbitrary<Body> {
  const seedPaths = paths(seed);
  const mutated: fc.Arbitrary<Body> =
    seed === undefined || seedPaths.length === 0
      ? hostileJson.map((j): Body => ({ body: utf8(j.text), classes: ["hostile body", ...j.classes] }))
      : fc
          .tuple(
            fc.constantFrom(...seedPaths),
            hostileJson,
            fc.option(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 6 })), { freq: 3 }),
          )
          .map(
            ([path, j, add]): Body => ({
              body: utf8(replaceAt(seed, path, j.text, add)),
              classes: ["mutated body", ...j.classes, ...(add && PROTO_KEYS.includes(add) ? ["prototype key"] : [])],
            }),
          );
  return fc.oneof(
    { weight: 12, arbitrary: mutated },
    {
      weight: 3,
      arbitrary: fc.constant<Body>({
        body: seed === undefined ? null : utf8(JSON.stringify(seed)),
        classes: ["well-formed body"],
      }),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(MAX_JSON_DEPTH + 1, 2_000, 6_000, 60_000), fc.boolean())
        .map(([d, o]): Body => ({ body: utf8(nestedJson(d, o)), classes: ["deep nesting"] })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          utf8("{not json"),
          utf8(""),
          new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]),
          new Uint8Array([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]),
          utf8(`"${"x".repeat(100_000)}"`),
          utf8(`[${"1,".repeat(200_000)}1]`),
          utf8("1e999999"),
        )
        .map((body): Body => ({ body, classes: ["malformed body"] })),
    },
  );
}

const CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/x-protobuf",
  "application/json; charset=latin1",
];

/** Workspace cookies a client can forge: percent-encoding that does not decode, NUL, a surrogate. */
const WORKSPACE_COOKIE = fc.oneof(
  { weight: 14, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom("%E0%A4%A", "%00", "a%00b", "%ED%A0%80", "x".repeat(300), "__proto__") },
);

type Cred = { credential: Credential; classes: string[] };
const cred = (credential: Credential, classes: string[]): Cred => ({ credential, classes });
const CREDENTIALS: fc.Arbitrary<Cred> = fc.oneof(
  { weight: 16, arbitrary: fc.constant(cred("owner", [])) },
  { weight: 2, arbitrary: fc.constant(cred("none", ["no or wrong credentials"])) },
  { weight: 1, arbitrary: fc.constant(cred("wrongKey", ["no or wrong credentials"])) },
  { weight: 1, arbitrary: fc.constant(cred("viewer", ["weak role"])) },
);

/** Hostile requests for one route. */
export function requestArbitrary(spec: RouteSpec): fc.Arbitrary<FuzzCase> {
  const served = Object.keys(spec.methods) as RouteMethod[];
  const unserved = unservedMethods(spec);
  const method = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...served).map((m) => ({ m, classes: [] as string[] })) },
    ...(unserved.length
      ? [{ weight: 1, arbitrary: fc.constantFrom(...unserved).map((m) => ({ m, classes: ["wrong method"] })) }]
      : []),
  );
  const paramNames = Object.keys(spec.params ?? {});
  const params = fc.tuple(
    ...paramNames.map(() => fc.oneof(fc.constant<Tagged>({ value: "$real", cls: "" }), hostileString)),
  );
  const queryNames = spec.query ?? [];
  const name = queryNames.length
    ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...queryNames) }, fc.string({ maxLength: 6 }))
    : fc.string({ maxLength: 6 });
  const queryEntry = name.chain((n) => fc.tuple(fc.constant(n), valueFor(n)));
  const query = fc.array(queryEntry, { maxLength: queryNames.length ? 3 : 1 });
  const contentType = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constant<{ ct: string | null; classes: string[] }>({
        ct: spec.contentType ?? "application/json",
        classes: [],
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...CONTENT_TYPES, null).map((ct) => ({ ct, classes: ["bad content type"] })),
    },
  );
  return fc
    .tuple(method, params, query, contentType, CREDENTIALS, WORKSPACE_COOKIE)
    .chain(([m, ps, q, ct, cred, wc]) => {
      const seed = spec.methods[m.m]?.body;
      const hasBody = !["GET", "HEAD", "DELETE"].includes(m.m);
      return (hasBody ? bodyArbitrary(seed) : fc.constant<Body>({ body: null, classes: [] })).map((b): FuzzCase => {
        const classes = new Set([
          ...m.classes,
          ...ps.filter((p) => p.cls).map(() => "hostile path id"),
          ...ps.map((p) => p.cls),
          ...(q.length ? ["hostile query"] : []),
          ...q.map(([, v]) => v.cls),
          ...ct.classes,
          ...cred.classes,
          ...(wc !== null ? ["hostile workspace cookie"] : []),
          ...b.classes,
        ]);
        classes.delete("");
        return {
          method: m.m,
          params: Object.fromEntries(paramNames.map((n, i) => [n, ps[i].value])),
          query: q.map(([k, v]) => [k, v.value]),
          body: b.body,
          contentType: hasBody ? ct.ct : null,
          credential: spec.methods[m.m]?.costly && cred.credential === "owner" ? "viewer" : cred.credential,
          workspaceCookie: wc,
          classes: [...classes],
        };
      });
    });
}

/** Deterministic cases for one route (fixed seed, a distinct stream per route). */
export function casesFor(spec: RouteSpec, route: string, seed: number, count: number): FuzzCase[] {
  let h = seed;
  for (const c of route) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return fc.sample(requestArbitrary(spec), { seed: h, numRuns: count });
}

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20260617);
