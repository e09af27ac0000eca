import { z } from "zod";
import { ZQueryInstant } from "./common.ts";

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

export const ZExportQuery = z.object({
  agentId: z.string().max(256).optional(),
  status: z.enum(REVIEW_STATUSES).default("resolved"),
  rating: z.enum(RATINGS).optional(),
  format: z.enum(["json", "jsonl"]).default("json"),
});

export type Review = {
  id: string;
  executionId: string;
  agentId: string;
  agent: string;
  rating: (typeof RATINGS)[number];
  comment: string;
  priority: (typeof PRIORITIES)[number];
  tags: string[];
  status: (typeof REVIEW_STATUSES)[number];
  actionTaken: string | null;
  resolutionNotes: string | null;
  correctedOutput: string | null;
  reviewedBy: string;
  assigneeId: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  createdAt: string;
  updatedAt: string;
};
export type ReviewList = { reviews: Review[]; nextCursor: string | null; total: number };
export type ReviewStats = {
  total: number;
  byStatus: Record<(typeof REVIEW_STATUSES)[number], number>;
  byRating: Record<(typeof RATINGS)[number], number>;
  byPriority: Record<(typeof PRIORITIES)[number], number>;
  avgResolutionHours: number | null;
};
export type TrainingExample = {
  messages: { role: string; content: string }[];
  metadata: { review_id: string; execution_id: string; rating: string; was_corrected: boolean };
};
