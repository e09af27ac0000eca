import { z } from "zod";
import { type QueryParams, ZInstantOut, ZQueryInstant } from "./common.ts";

export const RATINGS = ["good", "bad", "neutral"] as const;
export const PRIORITIES = ["low", "medium", "high", "urgent"] as const;
export const REVIEW_STATUSES = ["open", "in_progress", "resolved", "dismissed"] as const;

const ZTags = z.array(z.string().trim().min(1).max(50)).max(20);

export const ZCreateReview = z.object({
  executionId: z.string().min(1).max(128),
  agentId: z.string().min(1).max(256).describe("The execution's agent, by id or name"),
  rating: z.enum(RATINGS),
  comment: z.string().trim().min(10, "Write at least 10 characters.").max(10_000),
  priority: z.enum(PRIORITIES).optional(),
  tags: ZTags.optional(),
});
export type CreateReview = z.infer<typeof ZCreateReview>;

export const ZUpdateReview = z
  .object({
    status: z.enum(REVIEW_STATUSES),
    actionTaken: z.string().max(500).nullable(),
    resolutionNotes: z.string().max(10_000).nullable(),
    correctedOutput: z.string().max(200_000).nullable(),
    priority: z.enum(PRIORITIES),
    tags: ZTags,
    rating: z.enum(RATINGS),
    comment: z.string().trim().min(10, "Write at least 10 characters.").max(10_000),
    assigneeId: z.string().max(64).nullable(),
  })
  .partial();
export type UpdateReview = z.infer<typeof ZUpdateReview>;

export const ZReviewListQuery = z.object({
  agentId: z.string().max(256).optional(),
  status: z.enum(REVIEW_STATUSES).optional(),
  rating: z.enum(RATINGS).optional(),
  priority: z.enum(PRIORITIES).optional(),
  tag: z.string().max(50).optional(),
  assigneeId: z.string().max(64).optional(),
  dateFrom: ZQueryInstant.optional(),
  dateTo: ZQueryInstant.optional(),
  search: z.string().trim().max(500).optional(),
  sort: z.enum(["newest", "priority"]).default("newest"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional(),
});
export type ReviewListQuery = z.infer<typeof ZReviewListQuery>;
/** The list's filters as a client sends them; dates also as Date objects. */
export type ReviewListFilters = Omit<QueryParams<typeof ZReviewListQuery>, "dateFrom" | "dateTo"> & {
  dateFrom?: string | Date;
  dateTo?: string | Date;
};

export const ZReviewCheckQuery = z.object({ executionId: z.string().min(1).max(128) });
export const ZReviewStatsQuery = z.object({ agentId: z.string().optional() });

export const ZExportQuery = z.object({
  agentId: z.string().max(256).optional(),
  status: z.enum(REVIEW_STATUSES).default("resolved"),
  rating: z.enum(RATINGS).optional(),
  format: z.enum(["json", "jsonl"]).default("json"),
});
export type ExportQuery = z.infer<typeof ZExportQuery>;
/** The export's filters as a client sends them (the format is the client's choice of method). */
export type ExportFilters = Omit<QueryParams<typeof ZExportQuery>, "format">;

export const ZReview = z.strictObject({
  id: z.string(),
  executionId: z.string(),
  agentId: z.string(),
  agent: z.string().describe("The agent's name"),
  rating: z.enum(RATINGS),
  comment: z.string(),
  priority: z.enum(PRIORITIES),
  tags: z.array(z.string()),
  status: z.enum(REVIEW_STATUSES),
  actionTaken: z.string().nullable(),
  resolutionNotes: z.string().nullable(),
  correctedOutput: z.string().nullable(),
  reviewedBy: z.string().describe("The API key's label or the member's name that created it"),
  assigneeId: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: ZInstantOut.nullable(),
  createdAt: ZInstantOut,
  updatedAt: ZInstantOut,
});
export type Review = z.infer<typeof ZReview>;

export const ZReviewList = z.strictObject({
  reviews: z.array(ZReview),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
});
export type ReviewList = z.infer<typeof ZReviewList>;

export const ZReviewCreated = z.strictObject({ reviewId: z.string() });
export type ReviewCreated = z.infer<typeof ZReviewCreated>;

export const ZReviewCheck = z.strictObject({ hasReview: z.boolean(), reviewId: z.string().optional() });
export type ReviewCheck = z.infer<typeof ZReviewCheck>;

export const ZReviewStats = z.strictObject({
  total: z.number().int(),
  byStatus: z.record(z.enum(REVIEW_STATUSES), z.number().int()),
  byRating: z.record(z.enum(RATINGS), z.number().int()),
  byPriority: z.record(z.enum(PRIORITIES), z.number().int()),
  avgResolutionHours: z.number().nullable(),
});
export type ReviewStats = z.infer<typeof ZReviewStats>;

export const ZTrainingExample = z.strictObject({
  messages: z.array(z.strictObject({ role: z.string(), content: z.string() })),
  metadata: z.strictObject({
    review_id: z.string(),
    execution_id: z.string(),
    rating: z.string(),
    was_corrected: z.boolean(),
  }),
});
export type TrainingExample = z.infer<typeof ZTrainingExample>;

/** `GET .../reviews/export` with format=json (format=jsonl streams one TrainingExample a line). */
export const ZTrainingExport = z.strictObject({
  training_examples: z.array(ZTrainingExample),
  count: z.number().int(),
});
export type TrainingExport = z.infer<typeof ZTrainingExport>;
export const TRAINING_JSONL_TYPE = "application/x-ndjson";
