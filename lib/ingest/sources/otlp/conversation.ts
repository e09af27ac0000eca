import { isChatMessages } from "../../../contracts/messages.ts";
import { messageContent, newTurns } from "../../../messages/turns.ts";
import type { SpanRow } from "../../model.ts";
import { spanRow } from "./row.ts";

/**
 * An OTel LLM call's conversation: its new turns (lib/messages/turns.ts) as `conversation_message`
 * children, the shape our SDK sends, so the execution opens as a chat and its thread lists them.
 * Ids `<span id>-m<nnnn>` are stable on a resend (and sort in turn order); each message names the
 * span it came from (`metadata.sourceSpanId`). Input turns are at the call's start, output turns
 * at its end.
 */
export function conversationRows(llm: SpanRow): SpanRow[] {
  const input = isChatMessages(llm.input) ? llm.input : null;
  const output = isChatMessages(llm.output) ? llm.output : null;
  if (!input && !output) return [];
  const outputFrom = newTurns(input, null).length;
  return newTurns(input, output).map((m, i) => {
    const at = i < outputFrom ? llm.started_at : (llm.ended_at ?? llm.started_at);
    const metadata: Record<string, unknown> = { sourceSpanId: llm.id };
    if (m.name) metadata.name = m.name;
    if (m.finishReason) metadata.finishReason = m.finishReason;
    const role = m.role.slice(0, 64);
    const row = spanRow(
      {
        id: `${llm.id}-m${String(i).padStart(4, "0")}`,
        execution_id: llm.execution_id,
        parent_id: llm.id,
        type: "conversation_message",
        name: role,
        status: "success",
        started_at: at,
      },
      at,
    );
    row.message = { role, content: messageContent(m), metadata };
    row.message_role = role;
    return row;
  });
}
