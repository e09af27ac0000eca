import { z } from "zod";

/** Limits of API.md: 5 MB bodies, 1,000 items a batch. */
export const INGEST_MAX_BYTES = 5 * 1024 * 1024;
export const INGEST_MAX_ITEMS = 1000;

/** ISO-8601 string or epoch milliseconds. */
export const ZTimestamp = z
  .union([
    z.string().refine((s) => !Number.isNaN(Date.parse(s)), "Expected an ISO-8601 timestamp."),
    z.number().int().nonnegative().max(8.64e15),
  ])
  .transform((v) => new Date(v));

export const SPAN_TYPES = [
  "agent_execution",
  "workflow_execution",
  "workflow_step",
  "llm_call",
  "tool_call",
  "memory",
  "custom_execution",
  "custom_event",
  "conversation_message",
  "http_call",
  "log",
  "error",
] as const;
export const STEP_TYPES = ["function", "agent", "connector", "condition", "switch", "foreach", "parallel"] as const;

const ZId = z.string().min(1).max(128);
const ZOptionalText = z.string().max(256).nullish();

export const ZUsage = z.object({
  inputTokens: z.number().int().nonnegative().nullish(),
  outputTokens: z.number().int().nonnegative().nullish(),
  totalTokens: z.number().int().nonnegative().nullish(),
});

export const ZLlm = z.object({
  model: z.string().max(256).nullish(),
  provider: z.string().max(256).nullish(),
  promptName: z.string().max(256).nullish(),
  variables: z.unknown().optional(),
  config: z.unknown().optional(),
  usage: ZUsage.nullish(),
  cost: z.number().nonnegative().nullish(),
});

export const ZHttp = z.object({
  method: z.string().min(1).max(16),
  url: z.string().min(1).max(8192),
  statusCode: z.number().int().min(0).max(999).nullish(),
});

export const ZError = z.object({
  name: z.string().max(256).nullish(),
  message: z.string().max(100_000),
  stack: z.string().max(200_000).nullish(),
});

export const ZMessageContent = z.union([z.string(), z.looseObject({ type: z.string().min(1).max(64) })]);

export const ZMessage = z.object({
  role: z.string().min(1).max(64),
  content: ZMessageContent,
  metadata: z.record(z.string(), z.unknown()).nullish(),
});

export const ZTraceRecord = z
  .object({
    id: ZId,
    executionId: ZId,
    parentId: z.string().max(128).nullish(),
    type: z.string().min(1).max(64),
    name: z.string().min(1).max(256),
    stepType: z.string().max(64).nullish(),
    status: z.enum(["running", "success", "error"]).nullish(),
    startedAt: ZTimestamp,
    endedAt: ZTimestamp.nullish(),
    agent: z.string().min(1).max(256).nullish(),
    threadId: ZOptionalText,
    sessionId: ZOptionalText,
    companyId: ZOptionalText,
    identify: z.object({ type: z.string().min(1).max(128), value: z.string().min(1).max(512) }).nullish(),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    metadata: z.unknown().optional(),
    error: ZError.nullish(),
    llm: ZLlm.nullish(),
    http: ZHttp.nullish(),
    message: ZMessage.nullish(),
  })
  .superRefine((t, ctx) => {
    if (t.type === "conversation_message" && !t.message) {
      ctx.addIssue({ code: "custom", path: ["message"], message: "Required when type is conversation_message." });
    }
    if (t.endedAt && t.endedAt < t.startedAt) {
      ctx.addIssue({ code: "custom", path: ["endedAt"], message: "Must not be before startedAt." });
    }
    if (t.parentId === t.id)
      ctx.addIssue({ code: "custom", path: ["parentId"], message: "A span cannot be its own parent." });
  });
export type TraceRecordInput = z.input<typeof ZTraceRecord>;
export type TraceRecord = z.output<typeof ZTraceRecord>;

export const ZTrackEvent = z.object({
  id: ZId.nullish(),
  name: z.string().min(1).max(128),
  properties: z.record(z.string(), z.unknown()).nullish(),
  timestamp: ZTimestamp.nullish(),
  threadId: ZOptionalText,
  executionId: z.string().max(128).nullish(),
  agent: z.string().min(1).max(256).nullish(),
});
export type TrackEventInput = z.input<typeof ZTrackEvent>;
export type TrackEvent = z.output<typeof ZTrackEvent>;

/** The envelopes are checked first (items unchecked), then each item alone. */
export const ZTracesEnvelope = z.object({
  traces: z.array(z.unknown()).max(INGEST_MAX_ITEMS, `At most ${INGEST_MAX_ITEMS} traces a batch.`),
});
export const ZEventsEnvelope = z.object({
  events: z.array(z.unknown()).max(INGEST_MAX_ITEMS, `At most ${INGEST_MAX_ITEMS} events a batch.`),
});

export type ItemResult = {
  id: string | null;
  status: 201 | 400;
  error?: { code: string; message: string; details: { path: string; message: string }[] };
};
export type IngestResponse = { accepted: number; rejected: number; results: ItemResult[] };
