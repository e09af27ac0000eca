import { z } from "zod";
import { ZInstantOut, zStorableId } from "./common.ts";

/**
 * Deletion on demand (README › API): one execution, or everything matching a user's identifiers
 * (an erasure request), with a record of each deletion (Settings › Data).
 */

const ZIdentifier = zStorableId(1, 512);

/** What an erasure deletes: executions matching any of the identifiers given (optionally of one agent). */
export const ZErasureRequest = z
  .strictObject({
    threadId: ZIdentifier.optional(),
    sessionId: ZIdentifier.optional(),
    companyId: ZIdentifier.optional(),
    identify: z.strictObject({ type: zStorableId(1, 128), value: ZIdentifier }).optional(),
    agent: z.string().min(1).max(256).optional(),
  })
  .superRefine((r, ctx) => {
    if (!r.threadId && !r.sessionId && !r.companyId && !r.identify)
      ctx.addIssue({
        code: "custom",
        path: ["threadId"],
        message: "Name at least one of threadId, sessionId, companyId or identify.",
      });
  });
export type ErasureRequest = z.infer<typeof ZErasureRequest>;

/** What a deletion removed. */
export const ZDeletionCounts = z.strictObject({
  executions: z.number().int(),
  spans: z.number().int(),
  events: z.number().int(),
});
export type DeletionCounts = z.infer<typeof ZDeletionCounts>;

export const DELETION_KINDS = ["execution", "erasure"] as const;
export const ZDeletionRecord = ZDeletionCounts.extend({
  id: z.string(),
  kind: z.enum(DELETION_KINDS),
  /** The execution id, or the erasure request as sent. */
  target: z.union([z.strictObject({ executionId: z.string() }), ZErasureRequest]),
  actor: z.string(),
  createdAt: ZInstantOut,
});
export type DeletionRecord = z.infer<typeof ZDeletionRecord>;
export const ZDeletionList = z.strictObject({ records: z.array(ZDeletionRecord) });
export type DeletionList = z.infer<typeof ZDeletionList>;

// ---------------------------------------------------------------------------------------------
// Settings › Data: retention, the storage budget and what the workspace's data takes.

/** Retention is whole days, from one day to a hundred years; null keeps data forever. */
export const MAX_RETENTION_DAYS = 36_500;
/** A budget under a megabyte (decimal) is a typo; the largest is what a JSON number holds exactly. */
export const MIN_STORAGE_BUDGET_BYTES = 1_000_000;
export const MAX_STORAGE_BUDGET_BYTES = Number.MAX_SAFE_INTEGER;
/** The portal warns from this share of a budget on. */
export const BUDGET_WARNING_RATIO = 0.8;
/** Days of usage `byDay` covers, counted back from today (UTC). */
export const USAGE_DAYS = 90;

const zRetentionDays = z
  .number({ error: "Must be a whole number of days, or null to keep forever." })
  .int("Must be a whole number of days.")
  .min(1, "Keep data at least 1 day (or null: forever).")
  .max(MAX_RETENTION_DAYS, `At most ${MAX_RETENTION_DAYS} days (or null: forever).`)
  .nullable();

/**
 * GET query: `usage=fresh` computes the usage now (the Settings › Data page); by default a figure
 * up to a minute old may answer (the storage banner, on every page).
 */
export const ZDataSettingsQuery = z.object({ usage: z.enum(["cached", "fresh"]).default("cached") });
export type DataSettingsQuery = z.infer<typeof ZDataSettingsQuery>;

/** PUT body: each field given is set (null: forever, or no budget of the workspace's own); absent ones stay. */
export const ZDataSettingsRequest = z.strictObject({
  tracesRetentionDays: zRetentionDays.optional(),
  eventsRetentionDays: zRetentionDays.optional(),
  storageBudgetBytes: z
    .number({ error: "Must be a whole number of bytes, or null for no budget." })
    .int("Must be a whole number of bytes.")
    .min(MIN_STORAGE_BUDGET_BYTES, `At least ${MIN_STORAGE_BUDGET_BYTES} bytes (1 MB), or null for no budget.`)
    .max(MAX_STORAGE_BUDGET_BYTES, `At most ${MAX_STORAGE_BUDGET_BYTES} bytes.`)
    .nullable()
    .optional(),
});
export type DataSettingsRequest = z.infer<typeof ZDataSettingsRequest>;

const zBytes = z.number().int().nonnegative();

/** Estimated bytes of one agent's data in the workspace (all time). */
export const ZAgentUsage = z.strictObject({
  agent: z.string(),
  bytes: zBytes,
  executions: z.number().int(),
  spans: z.number().int(),
  events: z.number().int(),
});
/** Estimated bytes of the data of one UTC day (by execution start and event time). */
export const ZDayUsage = z.strictObject({
  day: z.iso.date(),
  bytes: zBytes,
  spans: z.number().int(),
  events: z.number().int(),
});

/**
 * What the workspace's data takes. Estimates, not a scan: the workspace's own row counts (spans
 * from its executions' span counts, events from the hourly event rollups) times the average
 * stored bytes of a row of each table, indexes and TOASTed payloads included, measured over the
 * whole database (docs/architecture.md › Settings › Data). A workspace whose payloads are much
 * larger or smaller than the installation's average is over- or under-estimated accordingly.
 */
export const ZDataUsage = z.strictObject({
  totalBytes: zBytes,
  tracesBytes: zBytes,
  eventsBytes: zBytes,
  byAgent: z.array(ZAgentUsage),
  /** The last USAGE_DAYS days that have data, oldest first. */
  byDay: z.array(ZDayUsage),
  /** The whole database (every workspace, and everything else), as Postgres reports it. */
  databaseBytes: zBytes,
  estimated: z.literal(true),
  computedAt: ZInstantOut,
});
export type DataUsage = z.infer<typeof ZDataUsage>;

/** The budget closest to being reached: the workspace's own (its bytes) or the installation's (the database's). */
export const ZBudgetStatus = z.strictObject({
  scope: z.enum(["workspace", "instance"]),
  limitBytes: zBytes,
  usedBytes: zBytes,
  ratio: z.number().nonnegative(),
  /** From BUDGET_WARNING_RATIO on: the portal shows its banner. */
  warning: z.boolean(),
});
export type BudgetStatus = z.infer<typeof ZBudgetStatus>;

export const ZDataSettings = z.strictObject({
  tracesRetentionDays: z.number().int().nullable(),
  eventsRetentionDays: z.number().int().nullable(),
  storageBudgetBytes: z.number().int().nullable(),
  /** RUNLENS_STORAGE_BUDGET, for the whole database; null when not set. */
  instanceBudgetBytes: z.number().int().nullable(),
  /** Whether this caller may change the settings (owners and admins). */
  canEdit: z.boolean(),
  usage: ZDataUsage,
  /** The budget with the highest ratio; null when no budget is set. */
  budget: ZBudgetStatus.nullable(),
});
export type DataSettings = z.infer<typeof ZDataSettings>;
