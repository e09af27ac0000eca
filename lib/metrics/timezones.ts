import "server-only";
import type { Db } from "../db/index.ts";
import { ValidationError } from "../errors.ts";
import { processGlobal } from "../process-global.ts";

/**
 * Time zones of metric queries. The contract accepts what JavaScript's Intl accepts; Postgres, which
 * buckets the events, knows a different list (JavaScript takes `US/Pacific-New`, Postgres refuses
 * it), so a query's zone must also be one of `pg_timezone_names`, read once per process.
 */
const cache = processGlobal<{ names?: Promise<Map<string, string>> }>("__runlensPgTimezones", () => ({}));

function postgresTimezones(db: Db): Promise<Map<string, string>> {
  cache.names ??= db.prisma
    .$queryRawUnsafe<{ name: string }[]>("SELECT name FROM pg_timezone_names")
    .then((rows) => new Map(rows.map((r) => [r.name.toLowerCase(), r.name])))
    .catch((e) => {
      cache.names = undefined;
      throw e;
    });
  return cache.names;
}

/** 400 naming `timezone` when Postgres does not know `tz` (names compare case-insensitively, as both do). */
export async function assertPostgresTimezone(db: Db, tz: string): Promise<void> {
  if ((await postgresTimezones(db)).has(tz.toLowerCase())) return;
  const message = `Unknown time zone "${tz}": use an IANA name the database knows, such as "Europe/Lisbon".`;
  throw new ValidationError("Invalid request: check timezone.", [{ path: "timezone", message }]);
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** Minutes east of UTC of `tz` at `ms`, or NaN for an offset with seconds (local mean time before 1900). */
function utcOffsetMinutes(tz: string, ms: number): number {
  let f = offsetFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" });
    offsetFormats.set(tz, f);
  }
  const name = f.formatToParts(ms).find((x) => x.type === "timeZoneName")?.value ?? "GMT";
  const m = /^GMT(?:([+-])(\d{2}):(\d{2})(:\d{2})?)?$/.exec(name);
  if (!m) return Number.NaN;
  if (!m[1]) return 0;
  return m[4] ? Number.NaN : (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const DAY = 86_400_000;
/** A zone's offset is sampled this often within a year: periods of another offset last longer. */
const SAMPLE_MS = 7 * DAY;
const FIRST_YEAR = 1;
const LAST_YEAR = 9999;
/** Per zone and year (index = year): 0 not known yet, 1 every sampled offset a whole hour, 2 not. */
const alignedYears = new Map<string, Uint8Array>();

function yearAligned(tz: string, year: number): boolean {
  let years = alignedYears.get(tz);
  if (!years) {
    years = new Uint8Array(LAST_YEAR + 1);
    alignedYears.set(tz, years);
  }
  if (years[year] === 0) {
    const start = yearStart(year);
    const end = yearStart(year + 1) - 1;
    let aligned = true;
    for (let t = start; aligned; t = Math.min(t + SAMPLE_MS, end)) {
      if (utcOffsetMinutes(tz, t) % 60 !== 0) aligned = false;
      if (t >= end) break;
    }
    years[year] = aligned ? 1 : 2;
  }
  return years[year] === 1;
}

function yearStart(year: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return d.getTime();
}

/**
 * True when every UTC hour of [from, to] lies inside one local hour of `tz` (no :30 or :45 offsets),
 * so hourly rollups can be bucketed by local time. Known per zone and calendar year (offsets sampled
 * weekly, once per process), so a query costs one lookup per year of its range, which the contract
 * bounds (METRIC_MAX_RANGE_MS).
 */
export function hourAlignedZone(tz: string, from: number, to: number): boolean {
  const first = Math.max(new Date(from).getUTCFullYear(), FIRST_YEAR);
  const last = Math.min(new Date(to).getUTCFullYear(), LAST_YEAR);
  for (let year = first; year <= last; year++) if (!yearAligned(tz, year)) return false;
  return true;
}
