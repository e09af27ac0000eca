import {
  type BudgetStatus,
  type DataSettings,
  type DataSettingsRequest,
  MAX_RETENTION_DAYS,
  MAX_STORAGE_BUDGET_BYTES,
  MIN_STORAGE_BUDGET_BYTES,
} from "@/lib/contracts/data";
import { formatBytes, parseByteSize } from "@/lib/format";

/** The Settings › Data form as typed: days and a size as text, empty meaning forever / no budget. */
export type DataDraft = { tracesRetentionDays: string; eventsRetentionDays: string; storageBudget: string };
export type DataDraftErrors = Partial<Record<keyof DataDraft, string>>;

export function toDataDraft(
  s: Pick<DataSettings, "tracesRetentionDays" | "eventsRetentionDays" | "storageBudgetBytes">,
): DataDraft {
  return {
    tracesRetentionDays: s.tracesRetentionDays === null ? "" : String(s.tracesRetentionDays),
    eventsRetentionDays: s.eventsRetentionDays === null ? "" : String(s.eventsRetentionDays),
    storageBudget: s.storageBudgetBytes === null ? "" : formatBytes(s.storageBudgetBytes).replace(" ", ""),
  };
}

function days(text: string): number | null | string {
  const t = text.trim();
  if (t === "") return null;
  if (!/^\d+$/.test(t)) return "A whole number of days, or empty to keep forever.";
  const n = Number(t);
  if (n < 1 || n > MAX_RETENTION_DAYS) return `From 1 to ${MAX_RETENTION_DAYS} days, or empty to keep forever.`;
  return n;
}

/** The PUT body of a draft, or what is wrong with each field. */
export function fromDataDraft(d: DataDraft): { body: DataSettingsRequest } | { errors: DataDraftErrors } {
  const errors: DataDraftErrors = {};
  const traces = days(d.tracesRetentionDays);
  if (typeof traces === "string") errors.tracesRetentionDays = traces;
  const events = days(d.eventsRetentionDays);
  if (typeof events === "string") errors.eventsRetentionDays = events;
  let budget: number | null = null;
  if (d.storageBudget.trim() !== "") {
    budget = parseByteSize(d.storageBudget);
    if (budget === null) errors.storageBudget = "A size such as 50GB, 500MB or 2GiB, or empty for no budget.";
    else if (budget < MIN_STORAGE_BUDGET_BYTES) errors.storageBudget = "At least 1MB, or empty for no budget.";
    else if (budget > MAX_STORAGE_BUDGET_BYTES) errors.storageBudget = "That is more than any disk holds.";
  }
  if (Object.keys(errors).length) return { errors };
  return {
    body: {
      tracesRetentionDays: traces as number | null,
      eventsRetentionDays: events as number | null,
      storageBudgetBytes: budget,
    },
  };
}

/** The storage banner's sentence: which budget, how full, in words and numbers. */
export function budgetMessage(b: BudgetStatus): string {
  const pct = Math.floor(b.ratio * 100);
  const of = `${formatBytes(b.usedBytes)} of ${formatBytes(b.limitBytes)}`;
  const which =
    b.scope === "workspace"
      ? "this workspace's storage budget"
      : "the installation's storage budget (RUNLENS_STORAGE_BUDGET)";
  return b.ratio >= 1
    ? `Storage is over ${which}: ${pct}% used (${of}).`
    : `Storage is at ${pct}% of ${which} (${of}).`;
}
