import { z } from "zod";
import { ZPage } from "./common.ts";

export const RUN_STATUSES = ["running", "success", "error", "cancelled"] as const;
export const SOURCES = ["sdk", "otlp", "output", "cloudflare"] as const;

const ZTimestamp = z
  .union([z.string().datetime({ offset: true }), z.coerce.number().int().nonnegative()])
  .transform((v) => new Date(v));

export const ZExecutionListQuery = ZPage.extend({
  agent: z.string().max(256).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  threadId: z.string().max(256).optional(),
  sessionId: z.string().max(256).optional(),
  companyId: z.string().max(256).optional(),
  source: z.enum(SOURCES).optional(),
  from: ZTimestamp.optional(),
  to: ZTimestamp.optional(),
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
  hasConversation: boolean;
  source: (typeof SOURCES)[number];
};
export type ExecutionList = { executions: Execution[]; nextCursor: string | null };
