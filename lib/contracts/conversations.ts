import { z } from "zod";
import { ZInstantOut, ZPage } from "./common.ts";

export const ZThreadListQuery = ZPage.extend({
  agent: z.string().max(256).optional(),
  q: z.string().trim().max(500).optional(),
});
export type ThreadListQuery = z.infer<typeof ZThreadListQuery>;

/** A message's content as stored: text, or an object with a type (`{type: "parts", parts}` from OTLP). */
export const ZMessageContentOut = z.union([z.string(), z.looseObject({ type: z.string() })]);
export type MessageContent = z.infer<typeof ZMessageContentOut>;

export const ZThreadSummary = z.strictObject({
  threadId: z.string(),
  agent: z.string(),
  lastMessage: z.strictObject({ role: z.string(), content: ZMessageContentOut, at: ZInstantOut }).nullable(),
  executionCount: z.number().int(),
  messageCount: z.number().int(),
  /** USD: the sum of its executions' costs; null when none has one. */
  cost: z.number().nullable(),
  lastActivityAt: ZInstantOut,
});
export type ThreadSummary = z.infer<typeof ZThreadSummary>;
export const ZThreadList = z.strictObject({ threads: z.array(ZThreadSummary), nextCursor: z.string().nullable() });
export type ThreadList = z.infer<typeof ZThreadList>;

export const ZThreadMessage = z.strictObject({
  id: z.string(),
  executionId: z.string(),
  role: z.string(),
  content: ZMessageContentOut,
  metadata: z.record(z.string(), z.unknown()).nullable(),
  at: ZInstantOut,
  parentId: z.string().nullable(),
});
export type ThreadMessage = z.infer<typeof ZThreadMessage>;
/** A thread's messages across its executions, or one execution's, oldest first. */
export const ZThreadMessages = z.strictObject({ messages: z.array(ZThreadMessage) });
export type ThreadMessages = z.infer<typeof ZThreadMessages>;
