/**
 * Byte sizes as people write them (RUNLENS_STORAGE_BUDGET, Settings › Data): `50GB`, `500 MB`,
 * `1.5TB`, `2GiB` or a plain count of bytes. Units are decimal (KB = 1000) or binary with an i
 * (KiB = 1024), case-insensitive; anything else is refused, never guessed.
 */

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** The number of bytes `text` names, or null when it is not a size (or not a whole, safe, positive number of bytes). */
export function parseByteSize(text: string): number | null {
  const m = SIZE.exec(text.trim());
  if (!m) return null;
  const unit = m[2].toLowerCase();
  const factor = unit === "" ? 1 : UNITS[unit];
  if (factor === undefined) return null;
  // A fraction of a byte is not a size ("1.5" would otherwise be rounded silently).
  if (factor === 1 && !/^\d+$/.test(m[1])) return null;
  const bytes = Math.round(Number(m[1]) * factor);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

/** A byte count for people: 1 decimal place from KB on (decimal units, as disks and clouds count). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ["KB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let i = -1;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[i]}`;
}
