/** Display helpers shared by pages (pure, unit-tested). */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return m < 60 ? `${m}m ${s}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat("en-US").format(n);
}

/** A count with its noun, singular for one: "1 execution", "2,048 executions", "3 replies". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(count)} ${count === 1 ? singular : pluralForm}`;
}

/**
 * A length of time as people say it, in its largest sensible unit: "45 s", "2 min", "3 h",
 * "1.5 h", "4 d" (whole seconds and minutes; hours and days with one decimal below ten). For how
 * long things take between people (a review's resolution), where formatDuration's precision would
 * be noise.
 */
export function formatElapsed(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  const units: { size: number; unit: string; decimals: boolean }[] = [
    { size: 86_400_000, unit: "d", decimals: true },
    { size: 3_600_000, unit: "h", decimals: true },
    { size: 60_000, unit: "min", decimals: false },
    { size: 1000, unit: "s", decimals: false },
  ];
  for (let i = 0; i < units.length; i++) {
    const { size, unit, decimals } = units[i];
    if (ms < size && i < units.length - 1) continue;
    const value = ms / size;
    const shown = decimals && value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
    // Rounding up to a whole larger unit says it in that unit: "1 h", not "60 min".
    const larger = units[i - 1];
    if (larger && shown * size >= larger.size) return `${Math.round((shown * size) / larger.size)} ${larger.unit}`;
    return `${shown} ${unit}`;
  }
  return "–";
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/**
 * An instant in as few characters as a narrow column allows: the time to the second today, the day
 * and minute this year, the date before ("10:04:12 AM", "Mar 3, 9:15 AM", "Mar 3, 2025").
 */
export function formatShortDateTime(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString(undefined, { timeStyle: "medium" });
  if (d.getFullYear() === now.getFullYear())
    return d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
  return d.toLocaleDateString(undefined, { dateStyle: "medium" });
}

/** The time of day of an instant, to the minute ("14:05" or "2:05 PM", as the browser's locale says). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/**
 * US dollars as people read a bill: cents from a cent up ("$1,234.56"), and below a cent the
 * significant digits a model call's fraction of a cent needs ("$0.00042").
 */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return "–";
  if (usd === 0) return "$0";
  if (usd >= 0.01) return new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(usd);
  const digits = Math.min(10, Math.ceil(-Math.log10(usd)) + 1);
  const text = usd.toFixed(digits).replace(/\.?0+$/, "");
  return text === "0" ? "<$0.0000000001" : `$${text}`;
}

/**
 * Byte sizes as people write them (RUNLENS_STORAGE_BUDGET, Settings › Data): `50GB`, `500 MB`,
 * `1.5TB`, `2GiB` or a plain count of bytes. Units are decimal (KB = 1000) or binary with an i
 * (KiB = 1024), case-insensitive; anything else is refused, never guessed.
 */

const BYTE_UNITS: Record<string, number> = {
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
  const factor = unit === "" ? 1 : BYTE_UNITS[unit];
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
