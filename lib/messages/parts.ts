import { type ChatMessage, type ChatPart, type MediaModality, normaliseRole } from "../contracts/messages.ts";
import { compact, isRecord, jsonish, parseJson, str } from "../ingest/sources/otlp/values.ts";

/**
 * Message content as the frameworks write it, to the normalised parts of lib/contracts/messages.ts.
 * One tolerant reader for every family: OpenTelemetry GenAI parts (`{type: "text", content}`,
 * `tool_call`, `tool_call_response`, `blob`, `uri`, `file`, `reasoning`), OpenAI chat and
 * Responses content (`text`, `image_url`, `input_text`, `input_image`, `tool_calls`), Anthropic
 * blocks (`tool_use`, `tool_result`, `thinking`), the Vercel AI SDK's (`tool-call`, `tool-result`,
 * `image`, `file`, `reasoning`) and Gemini's (`functionCall`, `inlineData`). What it does not know
 * becomes a text part holding its JSON, so nothing a client sent is dropped.
 */

const MODALITIES = new Set<string>(["image", "audio", "video", "document", "file"]);

/** The modality of a MIME type or a declared modality; `file` when neither says. */
function modalityOf(declared: unknown, mimeType: string | null): MediaModality {
  const d = str(declared)?.toLowerCase();
  if (d && MODALITIES.has(d)) return d as MediaModality;
  const top = mimeType?.split("/")[0];
  if (top === "image" || top === "audio" || top === "video") return top;
  if (mimeType === "application/pdf") return "document";
  return "file";
}

/** The MIME type of a `data:` URI, else null. */
const dataUriMime = (uri: string) => /^data:([^;,]+)[;,]/i.exec(uri)?.[1] ?? null;

export function mediaPart(
  ref: { uri?: unknown; data?: unknown; fileId?: unknown; name?: unknown },
  mime: unknown,
  declared?: unknown,
): ChatPart | null {
  const uri = str(ref.uri);
  const data = str(ref.data);
  const fileId = str(ref.fileId);
  if (!uri && !data && !fileId) return null;
  const mimeType = str(mime) ?? (uri ? dataUriMime(uri) : null);
  return compact({
    type: "media",
    modality: modalityOf(declared, mimeType),
    mimeType: mimeType ?? undefined,
    uri: uri ?? undefined,
    data: data ?? undefined,
    fileId: fileId ?? undefined,
    name: str(ref.name) ?? undefined,
  }) as ChatPart;
}

/** Text or, for anything else, its JSON (a client's odd content stays readable). */
export function textOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export const textPart = (text: unknown): ChatPart => ({ type: "text", text: textOf(text) });

export function toolCallPart(id: unknown, name: unknown, args: unknown): ChatPart {
  return compact({
    type: "tool_call",
    id: str(id) ?? undefined,
    name: str(name) ?? "(unnamed tool)",
    arguments: args === undefined || args === null ? undefined : jsonish(args),
  }) as ChatPart;
}

export function toolResultPart(id: unknown, result: unknown, name?: unknown, isError?: unknown): ChatPart {
  return compact({
    type: "tool_result",
    id: str(id) ?? undefined,
    name: str(name) ?? undefined,
    result: jsonish(result) ?? null,
    isError: isError === true ? true : undefined,
  }) as ChatPart;
}

/** A string, or the `url` of an `{url}` object (OpenAI's image_url). */
const urlOf = (v: unknown) => str(v) ?? (isRecord(v) ? str(v.url) : null);

/** One content item of any family as a part; null for empty items. */
export function toPart(p: unknown): ChatPart | null {
  if (typeof p === "string") return textPart(p);
  if (!isRecord(p)) return p === null || p === undefined ? null : textPart(p);
  const type = str(p.type)?.toLowerCase() ?? "";
  switch (type) {
    case "text":
    case "input_text":
    case "output_text":
      return textPart(p.text ?? p.content ?? "");
    case "refusal":
      return textPart(p.refusal ?? p.text ?? "");
    case "reasoning":
    case "thinking":
    case "summary_text":
      return { type: "reasoning", text: textOf(p.text ?? p.content ?? p.thinking ?? p.reasoning ?? "") };
    case "redacted_thinking":
      return { type: "reasoning", text: "[redacted]" };
    case "tool_call":
    case "tool-call":
    case "tool_use":
    case "function_call":
      return toolCallPart(p.id ?? p.toolCallId ?? p.call_id, p.name ?? p.toolName, p.arguments ?? p.args ?? p.input);
    case "tool_call_response":
    case "tool-result":
    case "tool_result":
    case "function_call_output":
      return toolResultPart(
        p.id ?? p.toolCallId ?? p.tool_use_id ?? p.call_id,
        vercelOutput(p.response ?? p.result ?? p.output ?? p.content),
        p.toolName ?? p.name,
        p.is_error ?? p.isError,
      );
    case "media":
      return (
        mediaPart({ uri: p.uri, data: p.data, fileId: p.fileId, name: p.name }, p.mimeType, p.modality) ?? textPart(p)
      );
    case "blob":
      return mediaPart({ data: p.content ?? p.data }, p.mime_type, p.modality) ?? textPart(p);
    case "uri":
    case "file_data":
      return mediaPart({ uri: p.uri ?? p.file_uri, fileId: p.file_id }, p.mime_type, p.modality) ?? textPart(p);
    case "image_url":
    case "input_image":
      return mediaPart({ uri: urlOf(p.image_url), fileId: p.file_id }, p.mime_type, "image") ?? textPart(p);
    case "image":
      return imagePart(p) ?? textPart(p);
    case "file":
    case "input_file":
    case "document":
      return filePart(p) ?? textPart(p);
    case "input_audio":
      return isRecord(p.input_audio)
        ? (mediaPart({ data: p.input_audio.data }, `audio/${str(p.input_audio.format) ?? "wav"}`, "audio") ??
            textPart(p))
        : textPart(p);
    default:
      return (
        geminiPart(p) ?? (typeof p.text === "string" && Object.keys(p).length <= 2 ? textPart(p.text) : textPart(p))
      );
  }
}

/** Vercel AI SDK v5 wraps tool outputs as `{type: "json"|"text", value}`. */
function vercelOutput(v: unknown): unknown {
  return isRecord(v) && typeof v.type === "string" && "value" in v && Object.keys(v).length === 2 ? v.value : v;
}

/** `{type: "image", image|url|source}`: Vercel (image: URL or base64), Anthropic (source: base64 or url). */
function imagePart(p: Record<string, unknown>): ChatPart | null {
  const source = isRecord(p.source) ? p.source : null;
  if (source)
    return mediaPart({ uri: source.url, data: source.data, fileId: source.file_id }, source.media_type, "image");
  const image = str(p.image) ?? urlOf(p.url) ?? urlOf(p.image_url);
  if (!image) return null;
  const isRef = /^(https?:|data:|gs:|s3:|file:)/i.test(image);
  return mediaPart(isRef ? { uri: image } : { data: image }, p.mimeType ?? p.mediaType ?? p.mime_type, "image");
}

/** `{type: "file", data, mediaType|mimeType}` (Vercel), `{type: "file", file: {file_data|file_id}}` (OpenAI). */
function filePart(p: Record<string, unknown>): ChatPart | null {
  const f = isRecord(p.file) ? p.file : p;
  const data = str(f.data) ?? str(f.file_data);
  const isRef = !!data && /^(https?:|data:|gs:|s3:|file:)/i.test(data);
  return mediaPart(
    { uri: isRef ? data : (f.url ?? f.file_url), data: isRef ? null : data, fileId: f.file_id, name: f.filename },
    f.mediaType ?? f.mimeType ?? f.mime_type ?? f.media_type,
    f.modality,
  );
}

/** Gemini parts have no `type`: `{functionCall}`, `{functionResponse}`, `{inlineData}`, `{fileData}`, `{text, thought}`. */
function geminiPart(p: Record<string, unknown>): ChatPart | null {
  if (isRecord(p.functionCall)) return toolCallPart(p.functionCall.id, p.functionCall.name, p.functionCall.args);
  if (isRecord(p.functionResponse))
    return toolResultPart(p.functionResponse.id, p.functionResponse.response, p.functionResponse.name);
  if (isRecord(p.inlineData)) return mediaPart({ data: p.inlineData.data }, p.inlineData.mimeType);
  if (isRecord(p.fileData)) return mediaPart({ uri: p.fileData.fileUri }, p.fileData.mimeType);
  if (typeof p.text === "string" && p.thought === true) return { type: "reasoning", text: p.text };
  return null;
}

/** Message content (a string, a list of items, one item) as parts. */
export function partsOf(content: unknown): ChatPart[] {
  if (content === undefined || content === null || content === "") return [];
  const items = Array.isArray(content) ? content : [content];
  return items.map(toPart).filter((p): p is ChatPart => p !== null);
}

/**
 * One message in any of the common shapes: GenAI (`{role, parts, finish_reason}`), OpenAI chat
 * (`{role, content, tool_calls, tool_call_id, name}`), Anthropic or Vercel (`{role, content: [...]}`),
 * Gemini (`{role: "model", parts}`). Null when it is not an object.
 */
export function toMessage(m: unknown, fallbackRole = "user"): ChatMessage | null {
  if (typeof m === "string") return { role: fallbackRole, parts: [textPart(m)] };
  if (!isRecord(m)) return null;
  const role = normaliseRole(str(m.role) ?? str(m.type) ?? fallbackRole);
  const parts = [...partsOf(m.parts), ...partsOf(contentItems(m.content))];
  for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
    if (!isRecord(call)) continue;
    const fn = isRecord(call.function) ? call.function : call;
    parts.push(toolCallPart(call.id, fn.name, fn.arguments ?? fn.args));
  }
  if (isRecord(m.function_call)) parts.push(toolCallPart(null, m.function_call.name, m.function_call.arguments));
  // An OpenAI tool message: its content is the result of the call it names.
  const answers = str(m.tool_call_id) ?? str(m.toolCallId);
  if (role === "tool" && answers && parts.every((p) => p.type === "text")) {
    const text = parts.map((p) => (p.type === "text" ? p.text : "")).join("");
    return compact({ role, parts: [toolResultPart(answers, text, m.name)], name: str(m.name) ?? undefined });
  }
  return compact({
    role,
    parts,
    name: str(m.name) ?? undefined,
    finishReason: str(m.finish_reason) ?? str(m.finishReason) ?? undefined,
  });
}

/**
 * Content sent as a JSON string of typed items (older GenAI instrumentations serialise multimodal
 * content so) as those items; any other string stays text.
 */
function contentItems(v: unknown): unknown {
  if (typeof v !== "string" || !v.trimStart().startsWith("[")) return v;
  const parsed = parseJson(v);
  const typed =
    Array.isArray(parsed) && parsed.length > 0 && parsed.every((i) => isRecord(i) && typeof i.type === "string");
  return typed ? parsed : v;
}

/** A list of messages in any common shape; null when `v` is not a non-empty list of messages. */
export function toMessages(v: unknown, fallbackRole = "user"): ChatMessage[] | null {
  const parsed = jsonish(v);
  if (!Array.isArray(parsed)) return null;
  const out = parsed.map((m) => toMessage(m, fallbackRole)).filter((m): m is ChatMessage => m !== null);
  return out.length ? out : null;
}
