import "server-only";

/**
 * `ANY(…)` over the strings of a JSON array parameter, for lookups of a batch's keys:
 * `id = ${anyOfJsonArray("$2")}`. The planner takes an array it cannot see for ten elements, where
 * it takes a set-returning function (`IN (SELECT jsonb_array_elements_text($2))`) for a hundred
 * rows. With a hundred, the generic plans of the ingest writers chose a sequential scan of a table
 * of a few thousand rows and a hash join, for every batch; with ten, an index scan.
 */
export function anyOfJsonArray(param: string): string {
  return `ANY(ARRAY(SELECT jsonb_array_elements_text(${param}::jsonb)))`;
}

/**
 * A bigint column's value as a number (node-postgres reads int8 as a string, Prisma as a bigint).
 * Counts, tokens and durations stay far below 2^53 in practice; past it they lose precision.
 */
export type Int8 = string | number | bigint | null;
export function int8(v: Int8 | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
