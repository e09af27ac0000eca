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

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
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
