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
