import type { Db } from "@/lib/db";

/**
 * What every fuzz answer must satisfy, and the tally of what was tried. A failure is a 5xx, a hang
 * (no answer within HANG_MS: counted, not timed), a 4xx without the error format, or rows written
 * by a request that was refused.
 */

/** A request without an answer after this long is a hang: generous, it is a failure, not a timing. */
export const HANG_MS = 30_000;

export type Outcome = { status: number; contentType: string; text: string } | "hang";

export async function withinBound<T>(work: Promise<T>): Promise<T | "hang"> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<"hang">((resolve) => {
    timer = setTimeout(() => resolve("hang"), HANG_MS);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why an answer fails the suite, or null. */
export function problemWith(outcome: Outcome, opts: { errorFormat: boolean }): string | null {
  if (outcome === "hang") return `no answer within ${HANG_MS / 1000} s`;
  if (outcome.status >= 500) return `${outcome.status} ${outcome.text.slice(0, 300)}`;
  if (outcome.status >= 400 && opts.errorFormat) {
    try {
      const { error } = JSON.parse(outcome.text) as {
        error?: { code?: unknown; message?: unknown; details?: unknown };
      };
      const ok =
        typeof error?.code === "string" &&
        typeof error.message === "string" &&
        (error.details === undefined || Array.isArray(error.details));
      if (!ok) return `${outcome.status} without the error format: ${outcome.text.slice(0, 200)}`;
    } catch {
      return `${outcome.status} with a body that is not JSON: ${outcome.text.slice(0, 200)}`;
    }
  }
  return null;
}

/** Tables a refused request may legitimately write to: better-auth counts sign-in attempts. */
const WRITTEN_ON_REFUSAL = new Set(["rate_limits"]);

/** Row counts of every table, in one statement. */
export async function rowCounter(db: Db): Promise<() => Promise<string>> {
  const tables = (
    await db.prisma.$queryRawUnsafe<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_%'
       ORDER BY table_name`,
    )
  )
    .map((t) => t.table_name)
    .filter((t) => !WRITTEN_ON_REFUSAL.has(t));
  const sql = `SELECT json_build_object(${tables.map((t) => `'${t}', (SELECT count(*) FROM "${t}")`).join(", ")})::text AS counts`;
  return async () => (await db.prisma.$queryRawUnsafe<{ counts: string }[]>(sql))[0].counts;
}

/** Counts of cases per class, and of answers per status. */
export class Tally {
  readonly classes = new Map<string, number>();
  readonly statuses = new Map<number, number>();
  cases = 0;

  add(classes: string[], status: number | null) {
    this.cases++;
    for (const c of classes.length ? classes : ["well-formed"]) this.classes.set(c, (this.classes.get(c) ?? 0) + 1);
    if (status !== null) this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  merge(other: Tally) {
    this.cases += other.cases;
    for (const [k, v] of other.classes) this.classes.set(k, (this.classes.get(k) ?? 0) + v);
    for (const [k, v] of other.statuses) this.statuses.set(k, (this.statuses.get(k) ?? 0) + v);
  }

  toString(title: string): string {
    const classes = [...this.classes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `  ${k}: ${v}`);
    const statuses = [...this.statuses].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}×${v}`);
    return `${title}: ${this.cases} cases\n${classes.join("\n")}\n  answers: ${statuses.join(", ")}`;
  }
}
