import { z } from "zod";
import { ZPage } from "./common.ts";

export const ZThreadListQuery = ZPage.extend({
  agent: z.string().max(256).optional(),
  q: z.string().trim().max(500).optional(),
});
export type ThreadListQuery = z.infer<typeof ZThreadListQuery>;

export type MessageContent = string | ({ type: string } & Record<string, unknown>);

export type ThreadSummary = {
  threadId: string;
  agent: string;
  lastMessage: { role: string; content: MessageContent; at: string } | null;
  executionCount: number;
  messageCount: number;
  /** USD: the sum of its executions' costs; null when none has one. */
  cost: number | null;
  lastActivityAt: string;
};
export type ThreadList = { threads: ThreadSummary[]; nextCursor: string | null };

export type ThreadMessage = {
  id: string;
  executionId: string;
  role: string;
  content: MessageContent;
  metadata: Record<string, unknown> | null;
  at: string;
  parentId: string | null;
};
export type ThreadMessages = { messages: ThreadMessage[] };
