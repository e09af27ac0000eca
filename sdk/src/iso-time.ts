/** Date's range: a later time (even within the last valid second) is invalid. */
const MAX_DATE_MS = 8.64e15;

/**
 * The text up to the second ("2026-01-15T10:30:00.") of recent seconds, by second modulo 64: a
 * client on a replay clock interleaves a few timelines (one per lane), each in its own second.
 */
const SLOTS = 64;
const slotSecond = new Float64Array(SLOTS).fill(Number.NaN);
const slotPrefix: string[] = new Array(SLOTS).fill("");
/** "000Z" to "999Z": a stamp is its second's text and one of these, one string join. */
const MILLIS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, "0")}Z`);

/**
 * `new Date(ms).toISOString()` of a whole number of milliseconds, made cheaper: stamps mostly fall
 * in a second seen just before, whose text is reused, so only the milliseconds are added. A Date
 * and its formatting for each stamp were a visible share of the SDK's CPU per record.
 */
export function isoOf(ms: number): string {
  const second = Math.floor(ms / 1000);
  const slot = second & (SLOTS - 1);
  if (slotSecond[slot] !== second || ms > MAX_DATE_MS) {
    // Throws a RangeError for a time out of Date's range, as toISOString does.
    slotPrefix[slot] = new Date(ms).toISOString().slice(0, -4);
    slotSecond[slot] = second;
  }
  return slotPrefix[slot] + MILLIS[ms - second * 1000];
}
