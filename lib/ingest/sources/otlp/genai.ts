import type { ChatMessage } from "../../../contracts/messages.ts";
import { textPart, toMessage, toMessages } from "../../../messages/parts.ts";
import type { Reading, SpanEvent } from "./reading.ts";
import {
  type Attrs,
  compact,
  cost,
  firstTokenCount,
  isRecord,
  jsonish,
  list,
  str,
  strings,
  unflattenIndexed,
  withPrefix,
} from "./values.ts";

/**
 * OpenTelemetry GenAI semantic conventions (`gen_ai.*`), current and older: the operation gives
 * the type; messages come from `gen_ai.input.messages` / `gen_ai.output.messages` (parts format)
 * with `gen_ai.system_instructions` as the leading system turn, else the older indexed
 * `gen_ai.prompt.N.*` / `gen_ai.completion.N.*`, plain `gen_ai.prompt` / `gen_ai.completion`, or
 * the message events (`gen_ai.content.prompt`, `gen_ai.{system,user,assistant,tool}.message`,
 * `gen_ai.choice`).
 */

const LLM_OPERATIONS = new Set(["chat", "text_completion", "generate_content", "completion"]);

function typeOf(attrs: Attrs): Reading["type"] {
  const op = str(attrs["gen_ai.operation.name"]);
  if (op === "invoke_agent" || op === "create_agent") return "agent_execution";
  if (op === "execute_tool") return "tool_call";
  if (op === "embeddings") return "embedding";
  if (op === "retrieval") return "retrieval";
  if (op && LLM_OPERATIONS.has(op)) return "llm_call";
  const declaresModel = ["gen_ai.request.model", "gen_ai.response.model", "gen_ai.system", "gen_ai.provider.name"].some(
    (k) => str(attrs[k]),
  );
  return declaresModel ? "llm_call" : undefined;
}

/** Span events of the older conventions that carry messages: consumed, not shown as log spans. */
const MESSAGE_EVENTS: Record<string, string> = {
  "gen_ai.system.message": "system",
  "gen_ai.user.message": "user",
  "gen_ai.assistant.message": "assistant",
  "gen_ai.tool.message": "tool",
};
const PROMPT_EVENT = "gen_ai.content.prompt";
const COMPLETION_EVENT = "gen_ai.content.completion";
const CHOICE_EVENT = "gen_ai.choice";

export function isGenAiMessageEvent(name: string): boolean {
  return name in MESSAGE_EVENTS || name === PROMPT_EVENT || name === COMPLETION_EVENT || name === CHOICE_EVENT;
}

export function readGenAi(attrs: Attrs, events: SpanEvent[]): Reading {
  const type = typeOf(attrs);
  const hasAny =
    Object.keys(attrs).some((k) => k.startsWith("gen_ai.")) || events.some((e) => isGenAiMessageEvent(e.name));
  if (!hasAny) return {};
  const isTool = type === "tool_call";
  return compact({
    type,
    model: str(attrs["gen_ai.response.model"]) ?? str(attrs["gen_ai.request.model"]) ?? undefined,
    provider: str(attrs["gen_ai.provider.name"]) ?? str(attrs["gen_ai.system"]) ?? undefined,
    operation: str(attrs["gen_ai.operation.name"]) ?? undefined,
    usage: usage(attrs),
    cost: cost(attrs["gen_ai.usage.cost"]),
    config: config(attrs),
    tools: list(attrs["gen_ai.tool.definitions"]) ?? undefined,
    finishReasons: strings(attrs["gen_ai.response.finish_reasons"]) ?? undefined,
    input: isTool ? jsonish(attrs["gen_ai.tool.call.arguments"]) : (inputMessages(attrs, events) ?? undefined),
    output: isTool ? jsonish(attrs["gen_ai.tool.call.result"]) : (outputMessages(attrs, events) ?? undefined),
    context: compact({ threadId: str(attrs["gen_ai.conversation.id"]) ?? undefined }),
    payloadKeys: [
      "gen_ai.input.messages",
      "gen_ai.output.messages",
      "gen_ai.system_instructions",
      "gen_ai.prompt",
      "gen_ai.completion",
      "gen_ai.prompt.",
      "gen_ai.completion.",
      "gen_ai.tool.call.arguments",
      "gen_ai.tool.call.result",
      "gen_ai.tool.definitions",
    ],
  });
}

function usage(attrs: Attrs): Reading["usage"] {
  const first = (...keys: string[]) => firstTokenCount(attrs, ...keys);
  return compact({
    input: first("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
    output: first("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
    total: first("gen_ai.usage.total_tokens"),
    cacheRead: first(
      "gen_ai.usage.cache_read.input_tokens",
      "gen_ai.usage.cache_read_input_tokens",
      "gen_ai.usage.cached_input_tokens",
    ),
    cacheWrite: first("gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens"),
    reasoning: first("gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens"),
  });
}

/** gen_ai.request.* other than the model: temperature, max_tokens, top_p... */
function config(attrs: Attrs): Attrs | undefined {
  return withPrefix(attrs, "gen_ai.request.", "model") ?? undefined;
}

/** `gen_ai.system_instructions`: a JSON list of parts (or plain text) as one system message. */
function systemInstructions(attrs: Attrs): ChatMessage | null {
  const v = attrs["gen_ai.system_instructions"];
  if (v === undefined || v === null || v === "") return null;
  const parsed = jsonish(v);
  return toMessage({ role: "system", parts: Array.isArray(parsed) ? parsed : [textPart(parsed)] });
}

function inputMessages(attrs: Attrs, events: SpanEvent[]): ChatMessage[] | null {
  const system = systemInstructions(attrs);
  const rest =
    toMessages(attrs["gen_ai.input.messages"]) ??
    toMessages(unflattenIndexed(attrs, "gen_ai.prompt.")) ??
    plain(attrs["gen_ai.prompt"], "user") ??
    fromEvents(events, "input");
  if (!system) return rest;
  // The system instructions lead, unless the messages already begin with a system turn.
  return rest?.[0]?.role === "system" ? rest : [system, ...(rest ?? [])];
}

function outputMessages(attrs: Attrs, events: SpanEvent[]): ChatMessage[] | null {
  return (
    toMessages(attrs["gen_ai.output.messages"], "assistant") ??
    toMessages(unflattenIndexed(attrs, "gen_ai.completion."), "assistant") ??
    plain(attrs["gen_ai.completion"], "assistant") ??
    fromEvents(events, "output")
  );
}

/** A plain prompt or completion: a JSON list of messages, or text as one message of `role`. */
function plain(v: unknown, role: string): ChatMessage[] | null {
  if (v === undefined || v === null || v === "") return null;
  return toMessages(v, role) ?? [{ role, parts: [textPart(jsonish(v))] }];
}

/**
 * Messages from the older span events. A message event's body is its attributes, or the JSON of
 * `gen_ai.event.content` where an SDK put the body there.
 */
function fromEvents(events: SpanEvent[], side: "input" | "output"): ChatMessage[] | null {
  const out: ChatMessage[] = [];
  for (const e of events) {
    if (side === "input" && e.name === PROMPT_EVENT) return plain(e.attrs["gen_ai.prompt"], "user");
    if (side === "output" && e.name === COMPLETION_EVENT) return plain(e.attrs["gen_ai.completion"], "assistant");
    const body = eventBody(e.attrs);
    const role = MESSAGE_EVENTS[e.name];
    if (side === "input" && role) {
      const m = toMessage({
        ...body,
        role,
        tool_call_id: body.tool_call_id ?? body.id,
        content: jsonish(body.content),
      });
      if (m) out.push(m);
    }
    if (side === "output" && e.name === CHOICE_EVENT) {
      const message = isRecord(jsonish(body.message)) ? (jsonish(body.message) as Attrs) : body;
      const m = toMessage(
        {
          ...message,
          role: str(message.role) ?? "assistant",
          finish_reason: body.finish_reason,
          content: jsonish(message.content),
        },
        "assistant",
      );
      if (m) out.push(m);
    }
  }
  return out.length ? out : null;
}

function eventBody(attrs: Attrs): Attrs {
  const content = jsonish(attrs["gen_ai.event.content"]);
  const body = isRecord(content) ? content : attrs;
  const toolCalls = jsonish(body.tool_calls);
  return { ...body, tool_calls: Array.isArray(toolCalls) ? toolCalls : undefined };
}
