import { type ChatMessage, type ChatPart, isChatMessages, ZChatPart } from "../contracts/messages.ts";
import { isRecord } from "../ingest/sources/otlp/values.ts";
import { toMessages } from "./parts.ts";

/**
 * Conversations from LLM calls. Every call of a chat resends the history; the conversation as the
 * user lived it is, per call, only what is new: the input after its last assistant message (the
 * user's new question, or the tool results the model asked for) and the output.
 */

/** The turns an LLM call adds to its conversation: input after the last assistant message, then the output. */
export function newTurns(input: ChatMessage[] | null, output: ChatMessage[] | null): ChatMessage[] {
  const inMessages = input ?? [];
  let lastAssistant = -1;
  inMessages.forEach((m, i) => {
    if (m.role === "assistant") lastAssistant = i;
  });
  return [...inMessages.slice(lastAssistant + 1), ...(output ?? [])].filter((m) => m.parts.length > 0);
}

/**
 * A message's content as a conversation_message stores it: plain text when it is only text (the
 * chat view's markdown), else `{type: "parts", parts}` (tool calls, results, media kept apart).
 */
export function messageContent(m: ChatMessage): string | { type: "parts"; parts: ChatPart[] } {
  if (m.parts.every((p) => p.type === "text")) return m.parts.map((p) => (p.type === "text" ? p.text : "")).join("\n");
  return { type: "parts", parts: m.parts };
}

/** Whether a conversation_message's content is parts as `messageContent` writes them. */
export function isPartsContent(c: unknown): c is { type: "parts"; parts: ChatPart[] } {
  return isRecord(c) && c.type === "parts" && ZChatPart.array().safeParse(c.parts).success;
}

/** Whether every item of a list is an object with a string role (a chat, not any array). */
const looksLikeChat = (v: unknown): v is unknown[] =>
  Array.isArray(v) && v.length > 0 && v.every((m) => isRecord(m) && typeof m.role === "string");

/**
 * An LLM span's input or output as chat messages: normalised ones as stored (OTLP), or our SDK's
 * OpenAI-like shapes when they look like chat: a list of `{role, content}`, `{messages: [...]}`,
 * `{choices: [{message}]}` or one `{role, content}`. Null otherwise (the raw view shows it).
 */
export function chatMessagesOf(v: unknown): ChatMessage[] | null {
  if (isChatMessages(v)) return v;
  if (looksLikeChat(v)) return toMessages(v);
  if (!isRecord(v)) return null;
  if (looksLikeChat(v.messages)) return toMessages(v.messages);
  if (Array.isArray(v.choices)) {
    const messages = v.choices.map((c) => (isRecord(c) ? c.message : null));
    return looksLikeChat(messages) ? toMessages(messages) : null;
  }
  if (typeof v.role === "string" && ("content" in v || "tool_calls" in v)) return toMessages([v]);
  return null;
}
