import { z } from "zod";
import { type QueryParams, ZInstantOut, ZPage, ZQueryInstant } from "./common.ts";
import { ZAppliedPrice } from "./models.ts";

/** An execution's or span's status; clients send the first three, "cancelled" is a source's own. */
export const RUN_STATUSES = ["running", "success", "error", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Where an execution came from (lib/ingest/sources). */
export const SOURCES = ["sdk", "otlp", "output", "cloudflare"] as const;
export type Source = (typeof SOURCES)[number];

/** What the executions list sorts by; executions without the value (running, unpriced) come last. */
export const EXECUTION_SORTS = ["startedAt", "duration", "cost", "tokens"] as const;
export type ExecutionSort = (typeof EXECUTION_SORTS)[number];
const MAX_DURATION_MS = 1e15;
const MAX_COST = 1e12;
const ZDurationBound = z.coerce.number().int().min(0).max(MAX_DURATION_MS);
const ZCostBound = z.coerce.number().min(0).max(MAX_COST);

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
  errorMessage: z
    .string()
    .max(500)
    .optional()
    .describe("Executions whose error message starts with these 500 characters (the overview's top errors)"),
  sort: z.enum(EXECUTION_SORTS).default("startedAt"),
  order: z.enum(["asc", "desc"]).default("desc"),
  minDurationMs: ZDurationBound.optional(),
  maxDurationMs: ZDurationBound.optional(),
  minCost: ZCostBound.optional().describe("USD"),
  maxCost: ZCostBound.optional().describe("USD"),
}).superRefine((q, ctx) => {
  if (q.minDurationMs !== undefined && q.maxDurationMs !== undefined && q.minDurationMs > q.maxDurationMs)
    ctx.addIssue({ code: "custom", path: ["maxDurationMs"], message: "Must not be below minDurationMs." });
  if (q.minCost !== undefined && q.maxCost !== undefined && q.minCost > q.maxCost)
    ctx.addIssue({ code: "custom", path: ["maxCost"], message: "Must not be below minCost." });
});
export type ExecutionListQuery = z.infer<typeof ZExecutionListQuery>;
/** The list's filters as a client sends them (times as ISO-8601 strings or epoch milliseconds). */
export type ExecutionListFilters = QueryParams<typeof ZExecutionListQuery>;

export const ZExecution = z.strictObject({
  id: z.string(),
  agentId: z.string(),
  agent: z.string().describe("The agent's name"),
  name: z.string(),
  type: z.string(),
  status: z.enum(RUN_STATUSES),
  startedAt: ZInstantOut,
  endedAt: ZInstantOut.nullable(),
  durationMs: z.number().nullable(),
  threadId: z.string().nullable(),
  sessionId: z.string().nullable(),
  companyId: z.string().nullable(),
  identify: z.strictObject({ type: z.string(), value: z.string() }).nullable(),
  input: z.unknown().describe("The root span's input, previewed (4,000 characters)"),
  output: z.unknown(),
  error: z.unknown(),
  spanCount: z.number().int(),
  tokens: z.strictObject({ input: z.number(), output: z.number(), total: z.number() }),
  /** USD: the sum of its model calls' costs; null when none has one (Settings › Models). */
  cost: z.number().nullable(),
  /** Time spent in model calls (the sum of their durations); null when it made none. */
  llmDurationMs: z.number().nullable(),
  hasConversation: z.boolean(),
  source: z.enum(SOURCES),
});
export type Execution = z.infer<typeof ZExecution>;
export const ZExecutionList = z.strictObject({ executions: z.array(ZExecution), nextCursor: z.string().nullable() });
export type ExecutionList = z.infer<typeof ZExecutionList>;

/**
 * A stored span as the read API returns it: every TraceRecord field plus depth in the tree. `llm`,
 * `error` and `message` are stored as each source wrote them: the fields below, and others kept.
 */
export const ZSpan = z.strictObject({
  id: z.string(),
  executionId: z.string(),
  parentId: z.string().nullable(),
  depth: z.number().int(),
  type: z.string(),
  name: z.string(),
  stepType: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  startedAt: ZInstantOut,
  endedAt: ZInstantOut.nullable(),
  durationMs: z.number().nullable(),
  input: z.unknown(),
  output: z.unknown(),
  metadata: z.unknown(),
  error: z.looseObject({ name: z.string().nullish(), message: z.string(), stack: z.string().nullish() }).nullable(),
  llm: z
    .looseObject({
      model: z.string().nullish(),
      provider: z.string().nullish(),
      promptName: z.string().nullish(),
      variables: z.unknown().optional(),
      config: z.unknown().optional(),
      usage: z
        .object({
          inputTokens: z.number().nullish(),
          outputTokens: z.number().nullish(),
          totalTokens: z.number().nullish(),
        })
        .nullish(),
      /** OTLP: cache and reasoning counts (parts of input and output, not added to them). */
      usageDetails: z
        .object({
          cacheReadTokens: z.number().optional(),
          cacheWriteTokens: z.number().optional(),
          reasoningTokens: z.number().optional(),
        })
        .nullish(),
      /** OTLP: the tools offered to the model, as sent. */
      tools: z.unknown().optional(),
      finishReasons: z.array(z.string()).nullish(),
      timeToFirstTokenMs: z.number().nullish(),
      /** USD: sent by the client, or priced from the workspace's table (then `price` is the price used). */
      cost: z.number().nullish(),
      price: ZAppliedPrice.nullish(),
    })
    .nullable(),
  http: z.strictObject({ method: z.string(), url: z.string(), statusCode: z.number().nullable() }).nullable(),
  message: z
    .looseObject({ role: z.string(), content: z.unknown(), metadata: z.record(z.string(), z.unknown()).nullish() })
    .nullable(),
});
export type Span = z.infer<typeof ZSpan>;
export const ZSpanOne = z.strictObject({ span: ZSpan });
export type SpanOne = z.infer<typeof ZSpanOne>;

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
/** A page of an execution's spans as a client asks for it. */
export type DetailsPage = QueryParams<typeof ZDetailsQuery>;

export const ZExecutionDetails = z.strictObject({
  execution: ZExecution,
  traces: z.array(ZSpan).describe("One page of the spans, depth-first"),
  tracesTotal: z.number().int(),
  tracesOffset: z.number().int(),
  tracesHasMore: z.boolean(),
});
export type ExecutionDetails = z.infer<typeof ZExecutionDetails>;
export const ZPortalExecution = z.strictObject({
  execution: ZExecution,
  traces: z.array(ZSpan),
  truncated: z.boolean().describe(`More than ${PORTAL_SPAN_CAP} spans: the rest were left out`),
});
export type PortalExecution = z.infer<typeof ZPortalExecution>;

/** A span as the trace tree needs it: narrow columns only; payloads load when a span is opened. */
export const ZOutlineSpan = z.strictObject({
  id: z.string(),
  parentId: z.string().nullable(),
  depth: z.number().int(),
  type: z.string(),
  name: z.string(),
  stepType: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  startedAt: ZInstantOut,
  endedAt: ZInstantOut.nullable(),
  tokensTotal: z.number().nullable(),
  llmModel: z.string().nullable(),
  httpStatus: z.number().nullable(),
});
export type OutlineSpan = z.infer<typeof ZOutlineSpan>;
export const OUTLINE_DEFAULT_LIMIT = 10_000;
export const OUTLINE_MAX_LIMIT = 20_000;
export const ZOutlineQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(OUTLINE_MAX_LIMIT).default(OUTLINE_DEFAULT_LIMIT),
});
export const ZExecutionOutline = z.strictObject({
  execution: ZExecution,
  spans: z.array(ZOutlineSpan),
  total: z.number().int(),
  offset: z.number().int(),
  hasMore: z.boolean(),
});
export type ExecutionOutline = z.infer<typeof ZExecutionOutline>;

export const AGENT_KINDS = ["agent", "workflow", "worker", "service"] as const;
/** The workspace's agents, by name (for pickers). */
export const ZAgentList = z.strictObject({
  agents: z.array(
    z.strictObject({ id: z.string(), name: z.string(), kind: z.enum(AGENT_KINDS), lastSeenAt: ZInstantOut }),
  ),
});
export type AgentList = z.infer<typeof ZAgentList>;
