import { z } from "zod";

export const ZEmail = z.string().trim().toLowerCase().email("Enter a valid email address.").max(254);
export const ZPassword = z.string().min(10, "Use at least 10 characters.").max(256);
export const ZName = z.string().trim().min(1, "Required.").max(120);
/** Workspace roles, strongest first (what each may do: lib/auth/roles.ts). */
export const ROLES = ["owner", "admin", "operator", "reviewer", "viewer"] as const;
export const ZRole = z.enum(ROLES);
export type Role = z.infer<typeof ZRole>;

/**
 * How deep a JSON body may nest arrays and objects (API.md, "Errors and limits"): deeper bodies are
 * refused with 400 `too_deep` before they are parsed.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * A query schema's parameters as a client passes them (the SDK's list filters): each optional,
 * coerced numbers as numbers, everything else as the query string carries it.
 */
export type QueryParams<S extends z.ZodType> = {
  [K in keyof z.input<S>]?: unknown extends z.input<S>[K] ? number : Exclude<z.input<S>[K], undefined>;
};

/** Cursor pagination of API.md: ?limit (default 50, max 200) and ?cursor. */
export const ZPage = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

/** One problem of a request, on the field to change ("traces[3].llm.usage"). */
export const ZFieldIssue = z.strictObject({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof ZFieldIssue>;

/** Every error answer of the API (API.md › Errors), whatever the status. */
export const ZApiErrorBody = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string(), details: z.array(ZFieldIssue).optional() }),
});
export type ApiErrorBody = z.infer<typeof ZApiErrorBody>;

/** An instant as the API answers it: ISO-8601 in UTC with milliseconds (`Date#toISOString`). */
export const ZInstantOut = z.iso.datetime();

// ---------------------------------------------------------------------------------------------
// What Postgres can store. Every source checks the values it stores with these at the edge, so an
// item answered 2xx cannot fail later in the worker (and fail its whole batch with it).

/** 0001-01-01T00:00:00.000Z. JavaScript writes earlier instants "0000-…" or "-000001-…", which Postgres rejects. */
export const MIN_STORABLE_MS = -62_135_596_800_000;
/** 9999-12-31T23:59:59.999Z. JavaScript writes later instants "+010000-…", which Postgres rejects. */
export const MAX_STORABLE_MS = 253_402_300_799_999;
const STORABLE_RANGE = "0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z";

/** Token counts are bigint columns, read back as JavaScript numbers: exact up to 2^53 - 1. */
export const MAX_TOKENS = Number.MAX_SAFE_INTEGER;

export type EpochUnit = "seconds" | "milliseconds" | "microseconds" | "nanoseconds";
const UNITS_PER_MS: Record<EpochUnit, number> = { seconds: 1e-3, milliseconds: 1, microseconds: 1e3, nanoseconds: 1e6 };

/** Whole milliseconds of `value` `unit`s, dropping fractions toward zero as Date does (bigint: exactly). */
function toMs(value: number | bigint, unit: EpochUnit): number {
  if (typeof value === "number") return Math.trunc(unit === "seconds" ? value * 1000 : value / UNITS_PER_MS[unit]);
  return Number(unit === "seconds" ? value * 1000n : value / BigInt(UNITS_PER_MS[unit]));
}
/** A value is taken for another unit when, read in that unit, it falls in these years (1990 to 2200). */
const RECENT_MS = [631_152_000_000, 7_258_118_400_000] as const;

/** " It looks like microseconds; send milliseconds." when `value` is a recent time in another unit. */
function unitHint(value: number | bigint, unit: EpochUnit): string {
  for (const other of Object.keys(UNITS_PER_MS) as EpochUnit[]) {
    const ms = Number(value) / UNITS_PER_MS[other];
    if (other !== unit && ms >= RECENT_MS[0] && ms <= RECENT_MS[1]) return ` It looks like ${other}; send ${unit}.`;
  }
  return "";
}

/**
 * Why `value` `unit`s since the epoch cannot be stored, or null. Fractions of a millisecond are
 * dropped toward zero, as Date does; `whole` also refuses fractional values.
 */
export function epochProblem(value: number | bigint, unit: EpochUnit = "milliseconds", whole = false): string | null {
  if (whole && typeof value === "number" && !Number.isInteger(value))
    return `Expected whole ${unit} since the epoch.${unitHint(value, unit)}`;
  const ms = toMs(value, unit);
  return ms >= MIN_STORABLE_MS && ms <= MAX_STORABLE_MS
    ? null
    : `${value} ${unit} since the epoch is outside the storable range (${STORABLE_RANGE}).${unitHint(value, unit)}`;
}

/** Why an ISO-8601 string is not a storable instant, or null. */
export function isoProblem(s: string): string | null {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return "Expected an ISO-8601 timestamp.";
  return ms >= MIN_STORABLE_MS && ms <= MAX_STORABLE_MS
    ? null
    : `${s} is outside the storable range (${STORABLE_RANGE}).`;
}

/**
 * A time filter of a query string (`from`, `to`, `dateFrom`, `dateTo`): epoch milliseconds (digits
 * only) or an ISO-8601 string, of a storable instant; as a Date. Postgres compares it with stored
 * instants, so an instant it cannot represent is a 400 naming the parameter, never a query error.
 */
export const ZQueryInstant = z.string().transform((s, ctx) => {
  const epoch = /^\d+$/.test(s);
  const message = epoch ? epochProblem(Number(s)) : isoProblem(s);
  if (!message) return new Date(epoch ? Number(s) : s);
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
});

/** A zod refinement from a problem function: its message, on the value's own path. */
function refineWith<T>(problem: (v: T) => string | null) {
  return (v: T, ctx: z.RefinementCtx) => {
    const message = problem(v);
    if (message) ctx.addIssue({ code: "custom", message });
  };
}

/** An ISO-8601 string of a storable instant (kept as sent). */
export const ZIsoInstant = z.string().superRefine(refineWith(isoProblem));
/** Epoch milliseconds of a storable instant, fractions allowed (kept as sent). */
export const ZEpochMs = z.number().superRefine(refineWith((v: number) => epochProblem(v)));
/** Whole epoch milliseconds of a storable instant. */
export const ZWholeEpochMs = z.number().superRefine(refineWith((v: number) => epochProblem(v, "milliseconds", true)));

/**
 * Whether a string is stored exactly as sent: Postgres refuses U+0000 in text and jsonb and an
 * unpaired surrogate in jsonb (and UTF-8 cannot carry one), so elsewhere both become U+FFFD.
 */
export const isStorableText = (s: string) => s.isWellFormed() && !s.includes("\u0000");

const ID_MESSAGE = "Must not contain U+0000 or an unpaired surrogate: ids are stored exactly as sent.";

/**
 * An id that is stored as a key (span, execution, parent, event, thread, session, company ids):
 * refused rather than altered when it holds a character Postgres cannot store, so two ids never
 * become one row.
 */
export function zStorableId(min: number, max: number) {
  return z.string().min(min).max(max).refine(isStorableText, ID_MESSAGE);
}
