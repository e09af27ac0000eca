import { z } from "zod";
import { ZPage, ZQueryInstant } from "./common.ts";
import type { AppliedPrice } from "./models.ts";

export const RUN_STATUSES = ["running", "success", "error", "cancelled"] as const;
export const SOURCES = ["sdk", "otlp", "output", "cloudflare"] as const;

export const ZExecutionListQuery = ZPage.extend({
  agent: z.string().max(256).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  threadId: z.string().max(256).optional(),
  sessionId: z.string().max(256).optional(),
  companyId: z.string().max(256).optional(),
  source: z.enum(SOURCES).optional(),
  from: ZQueryInstant.optional(),
  to: ZQueryInstant.optional(),
  q: z.string().trim().max(500).optional(),
});
export type ExecutionListQuery = z.infer<typeof ZExecutionListQuery>;

export type Execution = {
  id: string;
  agentId: string;
  agent: string;
  name: string;
  type: string;
  status: (typeof RUN_STATUSES)[number];
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  threadId: string | null;
  sessionId: string | null;
  companyId: string | null;
  identify: { type: string; value: string } | null;
  input: unknown;
  output: unknown;
  error: unknown;
  spanCount: number;
  tokens: { input: number; output: number; total: number };
  /** USD: the sum of its model calls' costs; null when none has one (Settings › Models). */
  cost: number | null;
  /** Time spent in model calls (the sum of their durations); null when it made none. */
  llmDurationMs: number | null;
  hasConversation: boolean;
  source: (typeof SOURCES)[number];
};
export type ExecutionList = { executions: Execution[]; nextCursor: string | null };

/** A stored span as the read API returns it: every TraceRecord field plus depth in the tree. */
export type Span = {
  id: string;
  executionId: string;
  parentId: string | null;
  depth: number;
  type: string;
  name: string;
  stepType: string | null;
  status: Execution["status"];
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  input: unknown;
  output: unknown;
  metadata: unknown;
  error: { name?: string | null; message: string; stack?: string | null } | null;
  llm: {
    model?: string | null;
    provider?: string | null;
    promptName?: string | null;
    variables?: unknown;
    config?: unknown;
    usage?: { inputTokens?: number | null; outputTokens?: number | null; totalTokens?: number | null } | null;
    /** OTLP: cache and reasoning counts (parts of input and output, not added to them). */
    usageDetails?: { cacheReadTokens?: number; cacheWriteTokens?: number; reasoningTokens?: number } | null;
    /** OTLP: the tools offered to the model, as sent. */
    tools?: unknown;
    finishReasons?: string[] | null;
    timeToFirstTokenMs?: number | null;
    /** USD: sent by the client, or priced from the workspace's table (then `price` is the price used). */
    cost?: number | null;
    price?: AppliedPrice | null;
  } | null;
  http: { method: string; url: string; statusCode: number | null } | null;
  message: { role: string; content: unknown; metadata?: Record<string, unknown> | null } | null;
};

export const DETAILS_DEFAULT_LIMIT = 500;
export const DETAILS_MAX_LIMIT = 1000;
export const PORTAL_SPAN_CAP = 10_000;

export const ZDetailsQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(DETAILS_MAX_LIMIT, `At most ${DETAILS_MAX_LIMIT} traces a page.`)
    .default(DETAILS_DEFAULT_LIMIT),
});

export type ExecutionDetails = {
  execution: Execution;
  traces: Span[];
  tracesTotal: number;
  tracesOffset: number;
  tracesHasMore: boolean;
};
export type PortalExecution = { execution: Execution; traces: Span[]; truncated: boolean };

/** A span as the trace tree needs it: narrow columns only; payloads load when a span is opened. */
export type OutlineSpan = {
  id: string;
  parentId: string | null;
  depth: number;
  type: string;
  name: string;
  stepType: string | null;
  status: Execution["status"];
  startedAt: string;
  endedAt: string | null;
  tokensTotal: number | null;
  llmModel: string | null;
  httpStatus: number | null;
};
export const OUTLINE_DEFAULT_LIMIT = 10_000;
export const OUTLINE_MAX_LIMIT = 20_000;
export const ZOutlineQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(OUTLINE_MAX_LIMIT).default(OUTLINE_DEFAULT_LIMIT),
});
export type ExecutionOutline = {
  execution: Execution;
  spans: OutlineSpan[];
  total: number;
  offset: number;
  hasMore: boolean;
};
