import type { ChatPart } from "../contracts/messages.ts";

/** Keys under which clients commonly put a message's text inside an object. */
const TEXT_KEYS = ["text", "message", "content", "answer", "prompt", "question"] as const;

/**
 * A message's content as plain text: a string as it is; a parts message (`{type: "parts"}`) as its
 * text parts joined; an object by its first text-like key; anything else as JSON. What a reviewer
 * starts a corrected answer from is exactly what the fine-tuning export writes.
 */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (content && typeof content === "object") {
    const c = content as Record<string, unknown>;
    if (c.type === "parts" && Array.isArray(c.parts)) {
      const texts = (c.parts as ChatPart[]).flatMap((p) => (p?.type === "text" ? [p.text] : []));
      if (texts.length) return texts.join("\n");
    }
    for (const k of TEXT_KEYS) if (typeof c[k] === "string") return c[k] as string;
  }
  return JSON.stringify(content ?? null);
}

const OPENAI_ROLES = new Set(["system", "user", "assistant"]);

/**
 * The chat-format messages of one fine-tuning example: the execution's conversation (else its root
 * input and output), with the last assistant turn replaced by the corrected answer when there is one.
 */
export function buildMessages(
  conversation: { role: string; content: unknown }[],
  root: { input: unknown; output: unknown } | null,
  corrected: string | null,
): { role: string; content: string }[] {
  let messages = conversation
    .filter((m) => OPENAI_ROLES.has(m.role))
    .map((m) => ({ role: m.role, content: contentText(m.content) }));
  if (messages.length === 0 && root) {
    messages = [];
    if (root.input !== null && root.input !== undefined)
      messages.push({ role: "user", content: contentText(root.input) });
    if (root.output !== null && root.output !== undefined)
      messages.push({ role: "assistant", content: contentText(root.output) });
  }
  if (corrected !== null) {
    const last = messages.map((m) => m.role).lastIndexOf("assistant");
    if (last >= 0) messages[last] = { role: "assistant", content: corrected };
    else messages.push({ role: "assistant", content: corrected });
  }
  return messages;
}
