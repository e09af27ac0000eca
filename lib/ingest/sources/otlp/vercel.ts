import type { ChatMessage, ChatPart } from "../../../contracts/messages.ts";
import { textOf, textPart, toMessages, toolCallPart } from "../../../messages/parts.ts";
import type { Reading, SpanEvent } from "./reading.ts";
import {
  type Attrs,
  compact,
  firstTokenCount,
  isRecord,
  jsonish,
  list,
  num,
  parseJson,
  str,
  tokenCount,
  withPrefix,
} from "./values.ts";

/**
 * The Vercel AI SDK (`experimental_telemetry`): `ai.operationId` gives the type and
 * `ai.telemetry.functionId` the name a user recognises. A call (`ai.generateText`,
 * `ai.streamText`, `ai.generateObject`, `ai.streamObject`) is an agent run holding one provider
 * call per step (`….doGenerate` / `….doStream`, the LLM spans with the tokens) and the tool calls
 * (`ai.toolCall`); `ai.embed` / `ai.embedMany` hold their `….doEmbed` embedding calls. Token
 * columns are set on the provider calls only, so an execution does not count them twice.
 * `ai.telemetry.metadata.{sessionId,threadId,userId}` become the execution's session, thread and
 * identify. Attribute names of AI SDK 3.3 to 6 are read (`ai.result.*` / `ai.response.*`,
 * `promptTokens` / `inputTokens`).
 */

const CALLS = new Set(["ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject"]);
const PROVIDER_CALLS = new Set([
  "ai.generateText.doGenerate",
  "ai.streamText.doStream",
  "ai.generateObject.doGenerate",
  "ai.streamObject.doStream",
]);
const EMBEDS = new Set(["ai.embed", "ai.embedMany"]);
const PROVIDER_EMBEDS = new Set(["ai.embed.doEmbed", "ai.embedMany.doEmbed"]);

export function readVercel(attrs: Attrs, events: SpanEvent[]): Reading {
  const op = str(attrs["ai.operationId"]);
  if (!op) return {};
  const functionId = str(attrs["ai.telemetry.functionId"]);
  const short = op.replace(/^ai\./, "");
  const base: Reading = {
    model: str(attrs["ai.response.model"]) ?? str(attrs["ai.model.id"]) ?? undefined,
    provider: providerOf(attrs["ai.model.provider"]),
    operation: short,
    context: context(attrs),
    payloadKeys: PAYLOAD_KEYS,
  };
  if (op === "ai.toolCall")
    return compact({
      ...base,
      type: "tool_call",
      name: str(attrs["ai.toolCall.name"]) ?? undefined,
      model: undefined,
      provider: undefined,
      input: decoded(attrs["ai.toolCall.args"] ?? attrs["ai.toolCall.input"]),
      output: decoded(attrs["ai.toolCall.result"] ?? attrs["ai.toolCall.output"]),
    });
  if (CALLS.has(op) || PROVIDER_CALLS.has(op)) {
    const isProviderCall = PROVIDER_CALLS.has(op);
    return compact({
      ...base,
      type: isProviderCall ? "llm_call" : "agent_execution",
      name: isProviderCall ? short : (functionId ?? short),
      usage: isProviderCall ? usage(attrs) : undefined,
      config: withPrefix(attrs, "ai.settings.") ?? undefined,
      tools: tools(attrs),
      finishReasons: finishReason(attrs),
      timeToFirstTokenMs: isProviderCall ? timeToFirstChunk(attrs, events) : undefined,
      input: isProviderCall ? (toMessages(attrs["ai.prompt.messages"]) ?? undefined) : callPrompt(attrs),
      output: response(attrs),
    });
  }
  if (EMBEDS.has(op) || PROVIDER_EMBEDS.has(op)) {
    const isProviderCall = PROVIDER_EMBEDS.has(op);
    return compact({
      ...base,
      type: isProviderCall ? "embedding" : undefined,
      name: isProviderCall ? short : (functionId ?? short),
      usage: isProviderCall ? compact({ input: tokenCount(attrs["ai.usage.tokens"]) ?? undefined }) : undefined,
      input: values(attrs),
      output: embeddingSummary(attrs),
    });
  }
  return compact({ ...base, name: functionId ?? undefined });
}

const PAYLOAD_KEYS = [
  "ai.prompt",
  "ai.prompt.messages",
  "ai.prompt.tools",
  "ai.response.text",
  "ai.response.toolCalls",
  "ai.response.object",
  "ai.response.reasoning",
  "ai.result.text",
  "ai.result.toolCalls",
  "ai.result.object",
  "ai.toolCall.args",
  "ai.toolCall.input",
  "ai.toolCall.result",
  "ai.toolCall.output",
  "ai.value",
  "ai.values",
  "ai.embedding",
  "ai.embeddings",
];

/** The SDK writes values with JSON.stringify (a string result arrives as `"sunny"`): decoded, else kept as sent. */
const decoded = (v: unknown) => (typeof v === "string" ? (parseJson(v) ?? v) : v);

/** `openai.chat` → `openai`: the provider, without the SDK's API flavour. */
const providerOf = (v: unknown) => str(v)?.split(".")[0] || undefined;

function usage(attrs: Attrs): Reading["usage"] {
  const first = (...keys: string[]) => firstTokenCount(attrs, ...keys);
  return compact({
    input: first("ai.usage.inputTokens", "ai.usage.promptTokens"),
    output: first("ai.usage.outputTokens", "ai.usage.completionTokens"),
    total: first("ai.usage.totalTokens"),
    cacheRead: first("ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens"),
    cacheWrite: first("ai.usage.inputTokenDetails.cacheWriteTokens"),
    reasoning: first("ai.usage.outputTokenDetails.reasoningTokens", "ai.usage.reasoningTokens"),
  });
}

function context(attrs: Attrs): Reading["context"] {
  const m = withPrefix(attrs, "ai.telemetry.metadata.") ?? {};
  const pick = (...keys: string[]) => keys.map((k) => str(m[k])).find((v) => v) ?? undefined;
  return compact({
    threadId: pick("threadId", "thread_id", "conversationId", "conversation_id"),
    sessionId: pick("sessionId", "session_id"),
    userId: pick("userId", "user_id"),
  });
}

/** `ai.prompt.tools`: a list of JSON strings, one tool each. */
function tools(attrs: Attrs): unknown[] | undefined {
  const out = (list(attrs["ai.prompt.tools"]) ?? []).map(jsonish).filter((t) => t !== null && t !== undefined);
  return out.length ? out : undefined;
}

function finishReason(attrs: Attrs): string[] | undefined {
  const r = str(attrs["ai.response.finishReason"]) ?? str(attrs["ai.finishReason"]);
  return r ? [r] : undefined;
}

/** ms to the first chunk: the attribute (AI SDK 4+ `ai.response.*`, 3.x `ai.stream.*`) or the `ai.stream.firstChunk` event. */
function timeToFirstChunk(attrs: Attrs, events: SpanEvent[]): number | undefined {
  const event = events.find((e) => e.name === "ai.stream.firstChunk")?.attrs ?? {};
  for (const v of [
    attrs["ai.response.msToFirstChunk"],
    attrs["ai.stream.msToFirstChunk"],
    event["ai.response.msToFirstChunk"],
    event["ai.stream.msToFirstChunk"],
  ]) {
    const n = num(v);
    if (n !== null && n >= 0) return n;
  }
  return undefined;
}

/** `ai.prompt` of a call: `{system?, prompt?, messages?}` as messages, the system prompt first. */
function callPrompt(attrs: Attrs): ChatMessage[] | undefined {
  const p = jsonish(attrs["ai.prompt"]);
  if (p === undefined || p === null) return undefined;
  if (!isRecord(p)) return [{ role: "user", parts: [textPart(p)] }];
  const out: ChatMessage[] = [];
  if (p.system !== undefined && p.system !== null)
    out.push(...(toMessages(p.system, "system") ?? [{ role: "system", parts: [textPart(p.system)] }]));
  if (typeof p.prompt === "string") out.push({ role: "user", parts: [textPart(p.prompt)] });
  else out.push(...(toMessages(p.prompt) ?? []));
  out.push(...(toMessages(p.messages) ?? []));
  return out.length ? out : undefined;
}

/** The assistant's turn: reasoning, text or the generated object, then the tool calls. */
function response(attrs: Attrs): ChatMessage[] | undefined {
  const parts: ChatPart[] = [];
  const reasoning = attrs["ai.response.reasoning"];
  if (typeof reasoning === "string" && reasoning) parts.push({ type: "reasoning", text: reasoning });
  const text = attrs["ai.response.text"] ?? attrs["ai.result.text"];
  if (typeof text === "string" && text) parts.push(textPart(text));
  const object = attrs["ai.response.object"] ?? attrs["ai.result.object"];
  if (object !== undefined && object !== null) parts.push(textPart(textOf(object)));
  for (const call of list(attrs["ai.response.toolCalls"] ?? attrs["ai.result.toolCalls"]) ?? []) {
    if (isRecord(call)) parts.push(toolCallPart(call.toolCallId, call.toolName, call.args ?? call.input));
  }
  if (!parts.length) return undefined;
  const finish = finishReason(attrs)?.[0];
  return [compact({ role: "assistant", parts, finishReason: finish })];
}

/** `ai.value` / `ai.values`: the values embedded (each may be JSON-encoded). */
function values(attrs: Attrs): unknown[] | undefined {
  if (attrs["ai.values"] !== undefined) return (list(attrs["ai.values"]) ?? [attrs["ai.values"]]).map(decoded);
  return attrs["ai.value"] === undefined ? undefined : [decoded(attrs["ai.value"])];
}

/** How many vectors of what size came back (the vectors themselves are not kept). */
function embeddingSummary(attrs: Attrs): unknown {
  const many = list(attrs["ai.embeddings"]);
  const vectors = many
    ? many.map(jsonish)
    : attrs["ai.embedding"] !== undefined
      ? [jsonish(attrs["ai.embedding"])]
      : [];
  const first = vectors.find(Array.isArray);
  return vectors.length ? { embeddings: vectors.length, dimensions: first ? first.length : null } : undefined;
}
