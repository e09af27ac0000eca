import type { ChatPart } from "../contracts/messages.ts";

/**
 * What the portal shows of message parts, decided here (pure, tested) so the components only
 * render. Trace content is hostile: media only from http(s) or data: URIs of their own kind, text
 * always as text.
 */

type MediaPart = Extract<ChatPart, { type: "media" }>;

/** How a media part is shown: an element with a safe source, else a description of what was sent. */
export type MediaView =
  | { kind: "image" | "audio" | "video"; src: string; label: string }
  | { kind: "link"; href: string; label: string }
  | { kind: "none"; label: string };

const PLAYABLE = new Set(["image", "audio", "video"]);
const BASE64 = /^[a-z0-9+/=\s]+$/i;
const SAFE_DATA_MIME = /^(image\/(png|jpe?g|gif|webp|avif)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+)$/i;

function isHttp(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

/** A base64 data: URI of an image, audio or video type (never svg, html or script). */
function safeDataUri(uri: string): boolean {
  const m = /^data:([^;,]+);base64,(.*)$/is.exec(uri);
  return !!m && SAFE_DATA_MIME.test(m[1]) && BASE64.test(m[2]);
}

export function mediaView(p: MediaPart): MediaView {
  const label = [p.modality, p.name, p.mimeType].filter(Boolean).join(" · ");
  const inline =
    p.data && p.mimeType && SAFE_DATA_MIME.test(p.mimeType) && BASE64.test(p.data)
      ? `data:${p.mimeType};base64,${p.data}`
      : null;
  const uri = p.uri ?? inline;
  const kind = PLAYABLE.has(p.modality) ? (p.modality as "image" | "audio" | "video") : null;
  if (uri && kind && (isHttp(uri) || (safeDataUri(uri) && uri.slice(5).toLowerCase().startsWith(kind))))
    return { kind, src: uri, label };
  if (p.uri && isHttp(p.uri)) return { kind: "link", href: p.uri, label };
  const ref = p.uri ?? (p.fileId ? `file ${p.fileId}` : p.data ? `${p.data.length} base64 characters` : "");
  return { kind: "none", label: `${label}${ref ? `: ${ref.slice(0, 200)}` : ""}` };
}

/** Tool arguments and results as readable text: strings as sent, anything else pretty JSON. */
export function prettyValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Plain text of parts for previews (thread list): text first, else what the parts are. */
export function partsPreview(parts: ChatPart[]): string {
  const text = parts
    .filter((p) => p.type === "text")
    .map((p) => (p.type === "text" ? p.text : ""))
    .join(" ");
  if (text) return text;
  return parts
    .map((p) =>
      p.type === "tool_call"
        ? `[tool call] ${p.name}`
        : p.type === "tool_result"
          ? `[tool result]${p.name ? ` ${p.name}` : ""} ${prettyValue(p.result).slice(0, 200)}`
          : p.type === "media"
            ? `[${p.modality}]`
            : "[reasoning]",
    )
    .join(" ");
}
