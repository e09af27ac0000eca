import type { ChatMessage } from "../../../contracts/messages.ts";
import { textPart, toMessage, toMessages, toolCallPart } from "../../../messages/parts.ts";
import type { Reading } from "./reading.ts";
import {
  type Attrs,
  compact,
  cost,
  isRecord,
  jsonish,
  list,
  parseJson,
  setOwn,
  str,
  strings,
  tokenCount,
  unflattenIndexed,
} from "./values.ts";

/**
 * OpenInference (Arize; its openai, langchain, openai-agents, mastra, bedrock... instrumentations):
 * `openinference.span.kind` gives the type; `llm.*` the model, provider, parameters, token counts,
 * flattened messages (`llm.input_messages.N.message.*`) and tools; `embedding.*`, `retrieval.*`
 * and `reranker.*` their payloads. `input.value` / `output.value` are read by `readIoValues`, the
 * lowest precedence of all, since every family may sit beside them.
 */

const KINDS: Record<string, Pick<Reading, "type" | "stepType">> = {
  LLM: { type: "llm_call" },
  EMBEDDING: { type: "embedding" },
  TOOL: { type: "tool_call" },
  AGENT: { type: "agent_execution" },
  RETRIEVER: { type: "retrieval" },
  RERANKER: { type: "retrieval" },
  GUARDRAIL: { type: "guardrail" },
  EVALUATOR: { type: "workflow_step", stepType: "evaluator" },
  // CHAIN and PROMPT are glue: the span stays generic (or takes a type from another family).
};

const OWN_LLM_PREFIXES = [
  "llm.model_name",
  "llm.request.model_name",
  "llm.response.model_name",
  "llm.provider",
  "llm.system",
  "llm.invocation_parameters",
  "llm.token_count.",
  "llm.input_messages.",
  "llm.output_messages.",
  "llm.prompts.",
  "llm.choices.",
  "llm.tools.",
  "llm.finish_reason",
];

export function readOpenInference(attrs: Attrs): Reading {
  const kind = str(attrs["openinference.span.kind"])?.toUpperCase();
  // OpenLLMetry writes a few llm.* attributes of its own (llm.request.type, llm.usage.*): not these.
  const hasLlm = Object.keys(attrs).some((k) => k.startsWith("llm.") && OWN_LLM_PREFIXES.some((p) => k.startsWith(p)));
  if (!kind && !hasLlm && !str(attrs["session.id"]) && !str(attrs["user.id"])) return {};
  const payload = payloadOf(kind, attrs);
  return compact({
    ...(kind ? KINDS[kind] : {}),
    model:
      str(attrs["llm.model_name"]) ??
      str(attrs["llm.response.model_name"]) ??
      str(attrs["llm.request.model_name"]) ??
      str(attrs["embedding.model_name"]) ??
      str(attrs["reranker.model_name"]) ??
      undefined,
    // LangChain's instrumentation sends no llm.provider; its run metadata names it (ls_provider).
    provider:
      str(attrs["llm.provider"]) ?? str(attrs["llm.system"]) ?? str(objectOf(attrs.metadata)?.ls_provider) ?? undefined,
    usage: compact({
      input: tokenCount(attrs["llm.token_count.prompt"]) ?? undefined,
      output: tokenCount(attrs["llm.token_count.completion"]) ?? undefined,
      total: tokenCount(attrs["llm.token_count.total"]) ?? undefined,
      cacheRead: tokenCount(attrs["llm.token_count.prompt_details.cache_read"]) ?? undefined,
      cacheWrite: tokenCount(attrs["llm.token_count.prompt_details.cache_write"]) ?? undefined,
      reasoning: tokenCount(attrs["llm.token_count.completion_details.reasoning"]) ?? undefined,
    }),
    cost: cost(attrs["llm.cost.total"]),
    config: objectOf(attrs["llm.invocation_parameters"] ?? attrs["embedding.invocation_parameters"]),
    tools: tools(attrs),
    finishReasons: strings(attrs["llm.finish_reason"]) ?? undefined,
    input: payload.input,
    output: payload.output,
    context: compact({
      sessionId: str(attrs["session.id"]) ?? undefined,
      userId: str(attrs["user.id"]) ?? undefined,
    }),
    payloadKeys: [
      "llm.input_messages.",
      "llm.output_messages.",
      "llm.prompts.",
      "llm.choices.",
      "llm.tools.",
      "embedding.embeddings.",
      "retrieval.documents.",
      "reranker.input_documents.",
      "reranker.output_documents.",
      // The request and response these messages were read from.
      "input.value",
      "output.value",
    ],
  });
}

const objectOf = (v: unknown) => {
  const parsed = jsonish(v);
  return isRecord(parsed) ? parsed : undefined;
};

function payloadOf(kind: string | undefined, attrs: Attrs): { input?: unknown; output?: unknown } {
  switch (kind) {
    case "EMBEDDING":
      return embeddings(attrs);
    case "RETRIEVER":
      return { output: documents(attrs, "retrieval.documents.") };
    case "RERANKER":
      return {
        input: compact({
          query: str(attrs["reranker.query"]) ?? undefined,
          documents: documents(attrs, "reranker.input_documents."),
        }),
        output: documents(attrs, "reranker.output_documents."),
      };
    default: {
      // The request/response reading of input.value is for LLM spans only: on a CHAIN or AGENT span
      // a `messages` key is one input among others, kept whole by readIoValues.
      const isLlm = kind === "LLM";
      return { input: llmInput(attrs, isLlm) ?? undefined, output: llmOutput(attrs, isLlm) ?? undefined };
    }
  }
}

/** `llm.input_messages.N.message.*`, else `llm.prompts.N.prompt.text`, else an input.value request with `messages`. */
function llmInput(attrs: Attrs, readValue: boolean): ChatMessage[] | null {
  const messages = indexedMessages(attrs, "llm.input_messages.", "user");
  if (messages) return messages;
  const prompts = unflattenIndexed(attrs, "llm.prompts.");
  if (prompts)
    return textMessages(
      prompts.map((p) => (isRecord(p) && isRecord(p.prompt) ? p.prompt.text : p)),
      "user",
    );
  const request = readValue ? ioValue(attrs, "input") : null;
  return isRecord(request) ? toMessages(request.messages) : null;
}

/** `llm.output_messages.N.message.*`, else `llm.choices.N.completion.text`, else an output.value response with `choices`. */
function llmOutput(attrs: Attrs, readValue: boolean): ChatMessage[] | null {
  const messages = indexedMessages(attrs, "llm.output_messages.", "assistant");
  if (messages) return messages;
  const choices = unflattenIndexed(attrs, "llm.choices.");
  if (choices)
    return textMessages(
      choices.map((c) => (isRecord(c) && isRecord(c.completion) ? c.completion.text : c)),
      "assistant",
    );
  const response = readValue ? ioValue(attrs, "output") : null;
  if (!isRecord(response) || !Array.isArray(response.choices)) return null;
  return toMessages(
    response.choices.map((c) =>
      isRecord(c) && isRecord(c.message) ? { ...c.message, finish_reason: c.finish_reason } : c,
    ),
    "assistant",
  );
}

function textMessages(texts: unknown[], role: string): ChatMessage[] | null {
  const out = texts.filter((t) => t !== undefined && t !== null).map((t) => ({ role, parts: [textPart(t)] }));
  return out.length ? out : null;
}

/**
 * Flattened OpenInference messages: `message.role`, `message.content` or `message.contents.N.message_content.*`,
 * `message.tool_calls.N.tool_call.{id,function.name,function.arguments}`, `message.tool_call_id`, `message.name`.
 */
function indexedMessages(attrs: Attrs, prefix: string, fallbackRole: string): ChatMessage[] | null {
  const items = unflattenIndexed(attrs, prefix);
  if (!items) return null;
  const out: ChatMessage[] = [];
  for (const item of items) {
    const m = isRecord(item) && isRecord(item.message) ? item.message : null;
    if (!m) continue;
    const contents = Array.isArray(m.contents) ? m.contents.map(contentItem) : [];
    const message = toMessage(
      {
        role: m.role,
        content: m.contents ? contents : m.content,
        tool_call_id: m.tool_call_id,
        name: m.name,
        finish_reason: m.finish_reason,
      },
      fallbackRole,
    );
    if (!message) continue;
    for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
      const c = isRecord(call) && isRecord(call.tool_call) ? call.tool_call : null;
      const fn = c && isRecord(c.function) ? c.function : null;
      if (c) message.parts.push(toolCallPart(c.id, fn?.name, fn?.arguments));
    }
    if (str(m.function_call_name))
      message.parts.push(toolCallPart(null, m.function_call_name, m.function_call_arguments_json));
    out.push(message);
  }
  return out.length ? out : null;
}

/** One `message_content` item as a generic content item for `partsOf`. */
function contentItem(item: unknown): unknown {
  const c = isRecord(item) && isRecord(item.message_content) ? item.message_content : null;
  if (!c) return item;
  const type = str(c.type) ?? "text";
  const nested = (key: string) => (isRecord(c[key]) ? (c[key] as Attrs) : {});
  const image = isRecord(nested("image").image) ? (nested("image").image as Attrs) : {};
  const audio = isRecord(nested("audio").audio) ? (nested("audio").audio as Attrs) : {};
  const video = isRecord(nested("video").video) ? (nested("video").video as Attrs) : {};
  switch (type) {
    case "image":
      return { type: "uri", modality: "image", uri: image.url };
    case "audio":
      return { type: "uri", modality: "audio", uri: audio.url, mime_type: audio.mime_type };
    case "video":
      return { type: "uri", modality: "video", uri: video.url };
    case "reasoning":
      return { type: "reasoning", text: c.text };
    case "tool_use":
      return { type: "tool_call", id: c.id, name: c.name, arguments: c.input ?? c.arguments };
    default:
      return { type: "text", text: c.text };
  }
}

/** `llm.tools.N.tool.json_schema` (a JSON string) or `llm.tools.N.tool.{name,description,parameters}`. */
function tools(attrs: Attrs): unknown[] | undefined {
  const items = unflattenIndexed(attrs, "llm.tools.");
  const out = (items ?? [])
    .map((t) => (isRecord(t) && isRecord(t.tool) ? t.tool : null))
    .filter((t): t is Attrs => t !== null)
    .map(
      (t) =>
        jsonish(t.json_schema) ??
        compact({ name: t.name, description: t.description, parameters: jsonish(t.parameters) }),
    );
  return out.length ? out : undefined;
}

/** The texts embedded (input) and a summary of the vectors (output; the vectors themselves are not kept). */
function embeddings(attrs: Attrs): { input?: unknown; output?: unknown } {
  const items = (unflattenIndexed(attrs, "embedding.embeddings.") ?? []).map((e) =>
    isRecord(e) && isRecord(e.embedding) ? e.embedding : {},
  );
  const texts = items.map((e) => e.text).filter((t) => typeof t === "string");
  const vectors = items.map((e) => list(e.vector)).filter((v): v is unknown[] => v !== null);
  return {
    input: texts.length ? texts : undefined,
    output: vectors.length ? { embeddings: vectors.length, dimensions: vectors[0].length } : undefined,
  };
}

/** `<prefix>N.document.{id,content,score,metadata}` as a list of documents. */
function documents(attrs: Attrs, prefix: string): unknown[] | undefined {
  const items = unflattenIndexed(attrs, prefix);
  const out = (items ?? [])
    .map((d) => (isRecord(d) && isRecord(d.document) ? d.document : null))
    .filter((d): d is Attrs => d !== null)
    .map((d) => compact({ id: d.id, content: d.content, score: d.score, metadata: jsonish(d.metadata) }));
  return out.length ? out : undefined;
}

// ---------------------------------------------------------------------------------------------
// input.value / output.value

/**
 * `input.value` or `output.value` by its mime type: `application/json` parsed (kept as text when it
 * is not valid JSON), `text/plain` kept as text, no type parsed when it looks like JSON. LangChain's
 * serialised constructor objects (`{lc: 1, type: "constructor", ...}`) become what they construct.
 */
export function ioValue(attrs: Attrs, side: "input" | "output"): unknown {
  const v = attrs[`${side}.value`];
  if (typeof v !== "string") return v ?? undefined;
  const mime = str(attrs[`${side}.mime_type`])?.toLowerCase() ?? "";
  if (mime.startsWith("text/")) return v;
  const parsed = mime.includes("json") ? (parseJson(v) ?? v) : jsonish(v);
  return unwrapLangChain(parsed, 0);
}

/** The lowest-precedence reading: `input.value` / `output.value` as a span's input and output. */
export function readIoValues(attrs: Attrs): Reading {
  return compact({
    input: ioValue(attrs, "input"),
    output: ioValue(attrs, "output"),
    payloadKeys: ["input.value", "output.value"],
  });
}

const LC_ROLES: Record<string, string> = {
  HumanMessage: "user",
  AIMessage: "assistant",
  SystemMessage: "system",
  ToolMessage: "tool",
  FunctionMessage: "tool",
};
const MAX_DEPTH = 64;

function unwrapLangChain(v: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return v;
  if (Array.isArray(v)) {
    let items: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const unwrapped = unwrapLangChain(v[i], depth + 1);
      if (items === null && unwrapped !== v[i]) items = v.slice(0, i);
      if (items !== null) items.push(unwrapped);
    }
    return items ?? v;
  }
  if (!isRecord(v)) return v;
  if (v.lc === 1 && v.type === "constructor" && Array.isArray(v.id) && isRecord(v.kwargs)) {
    const cls = String(v.id[v.id.length - 1] ?? "").replace(/Chunk$/, "");
    const kwargs = v.kwargs;
    if (/Message$/.test(cls))
      return (
        toMessage({
          role: LC_ROLES[cls] ?? kwargs.role ?? "user",
          content: kwargs.content,
          tool_calls: kwargs.tool_calls,
          tool_call_id: kwargs.tool_call_id,
          name: kwargs.name,
        }) ?? kwargs
      );
    return unwrapLangChain(kwargs, depth + 1);
  }
  // Copied only when something inside was unwrapped (payloads are large; most hold no LangChain object).
  let out: Attrs | null = null;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const x = v[keys[i]];
    const unwrapped = unwrapLangChain(x, depth + 1);
    if (out === null && unwrapped !== x) {
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j], v[keys[j]]);
    }
    if (out !== null) setOwn(out, keys[i], unwrapped);
  }
  return out ?? v;
}
