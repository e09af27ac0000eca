"use client";

import { ChevronRight, Wrench } from "lucide-react";
import type { ChatMessage, ChatPart } from "@/lib/contracts/messages";
import { mediaView, prettyValue } from "@/lib/messages/view";
import { cn } from "../ui/cn";

/**
 * Normalised chat messages (lib/contracts/messages.ts) as role-labelled turns. Everything a client
 * sent is rendered as text (React escapes it): never HTML, media only from the sources mediaView
 * allows, in elements that run nothing (img, audio, video).
 */

const ROLE_STYLE: Record<string, string> = {
  system: "border-amber-200 bg-amber-50 dark:border-amber-900 dark:bg-amber-950",
  user: "border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900",
  assistant: "border-indigo-200 bg-indigo-50 dark:border-indigo-900 dark:bg-indigo-950",
  tool: "border-emerald-200 bg-emerald-50 dark:border-emerald-900 dark:bg-emerald-950",
};

export function ChatTurns({ messages, label }: { messages: ChatMessage[]; label: string }) {
  return (
    <section aria-label={label} className="space-y-1.5" data-testid="chat-turns">
      <h3 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">{label}</h3>
      {messages.map((m, i) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: turns have no ids and never reorder
          key={i}
          data-testid="chat-turn"
          data-role={m.role}
          className={cn("rounded-md border p-2", ROLE_STYLE[m.role] ?? "border-sky-200 dark:border-sky-900")}
        >
          <div className="mb-1 flex gap-2 text-[10px] font-semibold tracking-wide text-zinc-500 uppercase">
            <span>{m.role}</span>
            {m.name && <span className="normal-case">{m.name}</span>}
            {m.finishReason && <span className="ml-auto normal-case">finish: {m.finishReason}</span>}
          </div>
          <ChatParts parts={m.parts} />
        </div>
      ))}
    </section>
  );
}

/** A message's parts in order: text, collapsed reasoning, tool call and result cards, media. */
export function ChatParts({ parts }: { parts: ChatPart[] }) {
  return (
    <div className="space-y-1.5 text-sm">
      {parts.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: parts have no ids and never reorder
        <Part key={i} part={p} />
      ))}
    </div>
  );
}

function Part({ part }: { part: ChatPart }) {
  switch (part.type) {
    case "text":
      return <p className="break-words whitespace-pre-wrap">{part.text}</p>;
    case "reasoning":
      return (
        <details className="rounded border border-current/20 px-2 py-1 text-xs opacity-80">
          <summary className="cursor-pointer select-none">Reasoning</summary>
          <p className="mt-1 break-words whitespace-pre-wrap">{part.text}</p>
        </details>
      );
    case "tool_call":
      return (
        <ToolCard title={`Tool call · ${part.name}`} id={part.id} testId="tool-call-card">
          {part.arguments !== undefined && <Pre value={part.arguments} />}
        </ToolCard>
      );
    case "tool_result":
      return (
        <ToolCard
          title={`Tool result${part.name ? ` · ${part.name}` : ""}${part.isError ? " (error)" : ""}`}
          id={part.id}
          testId="tool-result-card"
        >
          <Pre value={part.result} />
        </ToolCard>
      );
    case "media":
      return <Media part={part} />;
  }
}

/** A collapsible card, open: arguments and results are read at a glance, folded on demand. */
function ToolCard({
  title,
  id,
  testId,
  children,
}: {
  title: string;
  id?: string | null;
  testId: string;
  children: React.ReactNode;
}) {
  return (
    <details open data-testid={testId} className="group rounded border border-current/20 bg-white/60 dark:bg-black/20">
      <summary className="flex cursor-pointer list-none items-center gap-1.5 px-2 py-1 text-xs font-medium select-none">
        <ChevronRight className="size-3 transition-transform group-open:rotate-90" aria-hidden="true" />
        <Wrench className="size-3" aria-hidden="true" />
        <span className="break-all">{title}</span>
        {id && <span className="ml-auto font-mono text-[10px] opacity-60">{id}</span>}
      </summary>
      <div className="px-2 pb-2">{children}</div>
    </details>
  );
}

function Pre({ value }: { value: unknown }) {
  return (
    <pre className="max-h-80 overflow-auto font-mono text-xs break-words whitespace-pre-wrap">{prettyValue(value)}</pre>
  );
}

function Media({ part }: { part: Extract<ChatPart, { type: "media" }> }) {
  const v = mediaView(part);
  switch (v.kind) {
    case "image":
      // biome-ignore lint/performance/noImgElement: arbitrary trace images, not optimizable at build time
      return <img src={v.src} alt={v.label} className="max-h-64 max-w-full rounded" referrerPolicy="no-referrer" />;
    case "audio":
      // biome-ignore lint/a11y/useMediaCaption: trace audio has no caption track
      return <audio controls src={v.src} preload="none" className="max-w-full" aria-label={v.label} />;
    case "video":
      // biome-ignore lint/a11y/useMediaCaption: trace video has no caption track
      return <video controls src={v.src} preload="none" className="max-h-64 max-w-full" aria-label={v.label} />;
    case "link":
      return (
        <a href={v.href} target="_blank" rel="noopener noreferrer nofollow" className="text-xs underline">
          [{v.label}]
        </a>
      );
    case "none":
      return <span className="text-xs break-all opacity-70">[{v.label}]</span>;
  }
}
