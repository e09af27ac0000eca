"use client";

import { Download, MapPin } from "lucide-react";
import Markdown from "react-markdown";
import type { MessageContent } from "@/lib/contracts/conversations";
import { formatBytes } from "@/lib/format";
import { isPartsContent } from "@/lib/messages/turns";
import { partsPreview } from "@/lib/messages/view";
import { ChatParts } from "../messages/chat-turns";
import { JsonView } from "../traces/json-view";

/** Links in messages may only go to http(s); anything else (javascript:, data:...) is dropped. */
export function safeHref(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** Images may be http(s) or inline data:image/*; nothing else. */
export function safeImageSrc(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  if (/^data:image\/(png|jpe?g|gif|webp|avif);base64,[a-z0-9+/=\s]+$/i.test(url)) return url;
  return safeHref(url);
}

const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

type MdNode = { type: string; value?: string; children?: MdNode[] };

/** remark plugin: raw HTML in a message is shown as the literal text that was sent, never parsed. */
function htmlAsText() {
  const walk = (node: MdNode) => {
    if (node.type === "html") node.type = "text";
    node.children?.forEach(walk);
  };
  return (tree: MdNode) => walk(tree);
}

/** Text as safe markdown: raw HTML is shown as text, links are http/https only. */
export function MarkdownText({ text }: { text: string }) {
  return (
    <div className="space-y-2 break-words [&_code]:rounded [&_code]:bg-black/5 [&_code]:px-1 [&_ol]:list-decimal [&_ol]:pl-5 [&_pre]:overflow-x-auto [&_ul]:list-disc [&_ul]:pl-5 dark:[&_code]:bg-white/10">
      <Markdown
        remarkPlugins={[htmlAsText]}
        urlTransform={(url) => safeHref(url) ?? ""}
        components={{
          a: ({ href, children }) =>
            href ? (
              <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="underline">
                {children}
              </a>
            ) : (
              <span>{children}</span>
            ),
          img: ({ alt }) => <span>[image{alt ? `: ${alt}` : ""}]</span>,
        }}
      >
        {text}
      </Markdown>
    </div>
  );
}

/**
 * Renders a message's content: text, chat parts (OTel LLM calls' turns: tool cards, media), or an
 * object by its `type` (buttons, image, audio, file, location), else JSON.
 */
export function MessageBody({ content }: { content: MessageContent }) {
  if (typeof content === "string") return <MarkdownText text={content} />;
  const c = content as Record<string, unknown>;
  if (isPartsContent(content)) return <ChatParts parts={content.parts} />;
  switch (content.type) {
    case "text":
      return <MarkdownText text={str(c.text) ?? ""} />;
    case "buttons": {
      const items = Array.isArray(c.items) ? (c.items as Record<string, unknown>[]) : [];
      return (
        <div>
          {str(c.text) && <MarkdownText text={str(c.text)!} />}
          <fieldset className="mt-2 flex flex-wrap gap-1.5" aria-label="Buttons">
            {items.map((item, i) => (
              <button
                // biome-ignore lint/suspicious/noArrayIndexKey: buttons may lack ids
                key={i}
                type="button"
                tabIndex={-1}
                className="rounded-full border border-current/30 bg-white/60 px-3 py-1 text-xs font-medium dark:bg-black/20"
                title={str(item.id)}
              >
                {str(item.label) ?? str(item.title) ?? str(item.text) ?? str(item.id) ?? "button"}
              </button>
            ))}
          </fieldset>
        </div>
      );
    }
    case "image": {
      const src = safeImageSrc(c.url ?? c.src);
      return (
        <figure>
          {src ? (
            // biome-ignore lint/performance/noImgElement: arbitrary remote images, not optimizable at build time
            <img
              src={src}
              alt={str(c.caption) ?? str(c.alt) ?? "image"}
              className="max-h-64 max-w-full rounded"
              loading="lazy"
              referrerPolicy="no-referrer"
            />
          ) : (
            <span className="text-xs opacity-70">[image with an unsupported address]</span>
          )}
          {str(c.caption) && <figcaption className="mt-1 text-xs opacity-80">{str(c.caption)}</figcaption>}
        </figure>
      );
    }
    case "audio": {
      const src = safeHref(c.url ?? c.src);
      return src ? (
        // biome-ignore lint/a11y/useMediaCaption: user audio messages have no caption track
        <audio controls src={src} preload="none" className="max-w-full" />
      ) : (
        <span className="text-xs opacity-70">[audio with an unsupported address]</span>
      );
    }
    case "file": {
      const href = safeHref(c.url);
      const name = str(c.name) ?? str(c.filename) ?? "file";
      const size = typeof c.size === "number" ? ` (${formatBytes(c.size)})` : "";
      return href ? (
        <a
          href={href}
          download={name}
          target="_blank"
          rel="noopener noreferrer nofollow"
          className="inline-flex items-center gap-1.5 underline"
        >
          <Download className="size-3.5" /> {name}
          {size}
        </a>
      ) : (
        <span>
          {name}
          {size}
        </span>
      );
    }
    case "location": {
      const lat = Number(c.latitude ?? c.lat);
      const lng = Number(c.longitude ?? c.lng ?? c.lon);
      const valid = Number.isFinite(lat) && Number.isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
      return (
        <span className="inline-flex items-center gap-1.5">
          <MapPin className="size-3.5" />
          {str(c.name) && <span>{str(c.name)}</span>}
          {valid ? (
            <a
              href={`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}`}
              target="_blank"
              rel="noopener noreferrer nofollow"
              className="underline"
            >
              {lat.toFixed(5)}, {lng.toFixed(5)}
            </a>
          ) : (
            <span>[invalid coordinates]</span>
          )}
        </span>
      );
    }
    default:
      return <JsonView label={content.type} value={content} />;
  }
}

/** Short plain-text preview of a content (thread list), never raw envelope JSON. */
export function previewText(content: MessageContent | null | undefined): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (isPartsContent(content)) return partsPreview(content.parts);
  const c = content as Record<string, unknown>;
  const text = str(c.text) ?? str(c.caption) ?? str(c.name);
  const label =
    { buttons: "Buttons", image: "Image", audio: "Audio", file: "File", location: "Location" }[content.type] ??
    content.type;
  return text ? `${label === "Buttons" ? "" : `[${label}] `}${text}` : `[${label}]`;
}
