import { z } from "zod";

/**
 * The one message shape every source's chat content is normalised to: a role and its ordered parts.
 * The OTLP adapter writes an LLM span's input and output as arrays of these; the span panel and
 * the chat view read them (`isChatMessages`). Our own SDK's `llm` input and output are stored as
 * sent (they are not rewritten into this shape).
 *
 * Roles are the four of OpenTelemetry's GenAI conventions (system, user, assistant, tool) after
 * folding the frameworks' synonyms (`normaliseRole`); an unknown role is kept as sent.
 */

export const CHAT_ROLES = ["system", "user", "assistant", "tool"] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export const MEDIA_MODALITIES = ["image", "audio", "video", "document", "file"] as const;
export type MediaModality = (typeof MEDIA_MODALITIES)[number];

export const ZTextPart = z.object({ type: z.literal("text"), text: z.string() });
/** The model's visible reasoning (thinking) text. */
export const ZReasoningPart = z.object({ type: z.literal("reasoning"), text: z.string() });
/** A tool call requested by the model: arguments parsed from JSON when they were a JSON string. */
export const ZToolCallPart = z.object({
  type: z.literal("tool_call"),
  id: z.string().nullish(),
  name: z.string(),
  arguments: z.unknown().optional(),
});
/** A tool's result sent back to the model; `id` is the tool call it answers. */
export const ZToolResultPart = z.object({
  type: z.literal("tool_result"),
  id: z.string().nullish(),
  name: z.string().nullish(),
  result: z.unknown(),
  isError: z.boolean().optional(),
});
/**
 * Media by reference (`uri`: http(s), data:, gs://, s3://...), inline (`data`: base64 without a
 * data: prefix) or by a provider's file id. At least one of the three is set.
 */
export const ZMediaPart = z.object({
  type: z.literal("media"),
  modality: z.enum(MEDIA_MODALITIES),
  mimeType: z.string().nullish(),
  uri: z.string().nullish(),
  data: z.string().nullish(),
  fileId: z.string().nullish(),
  name: z.string().nullish(),
});

export const ZChatPart = z.discriminatedUnion("type", [
  ZTextPart,
  ZReasoningPart,
  ZToolCallPart,
  ZToolResultPart,
  ZMediaPart,
]);
export type ChatPart = z.infer<typeof ZChatPart>;

export const ZChatMessage = z.object({
  role: z.string().min(1),
  parts: z.array(ZChatPart),
  /** The author's name where the source gives one (a tool's name, a named participant). */
  name: z.string().nullish(),
  /** Why the model stopped, on an output message (stop, length, tool_calls...). */
  finishReason: z.string().nullish(),
});
export type ChatMessage = z.infer<typeof ZChatMessage>;

export const ZChatMessages = z.array(ZChatMessage);

/** Whether a stored input or output is a list of normalised chat messages (and can be shown as turns). */
export function isChatMessages(v: unknown): v is ChatMessage[] {
  return Array.isArray(v) && v.length > 0 && ZChatMessages.safeParse(v).success;
}

const ROLE_SYNONYMS: Record<string, ChatRole> = {
  system: "system",
  developer: "system",
  user: "user",
  human: "user",
  assistant: "assistant",
  ai: "assistant",
  model: "assistant",
  bot: "assistant",
  tool: "tool",
  function: "tool",
  ipython: "tool",
};

/** A framework's role name folded to the four chat roles (Gemini's `model`, LangChain's `human`/`ai`...). */
export function normaliseRole(role: string): string {
  return ROLE_SYNONYMS[role.toLowerCase()] ?? role;
}
