"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { memo, useEffect, useMemo, useRef } from "react";
import type { ThreadMessage } from "@/lib/contracts/conversations";
import { formatDateTime, formatTime } from "@/lib/format";
import { cn } from "../ui/cn";
import { MessageBody } from "./message-content";

type Item = { kind: "boundary"; executionId: string; at: string } | { kind: "message"; message: ThreadMessage };

const BUBBLE: Record<string, { row: string; bubble: string; label: string }> = {
  user: {
    row: "justify-start",
    bubble: "bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100 rounded-bl-sm",
    label: "user",
  },
  assistant: { row: "justify-end", bubble: "bg-indigo-600 text-white rounded-br-sm", label: "assistant" },
  system: {
    row: "justify-center",
    bubble:
      "bg-amber-50 text-amber-900 border border-amber-200 text-xs dark:bg-amber-950 dark:text-amber-100 dark:border-amber-900",
    label: "system",
  },
  tool: {
    row: "justify-start",
    bubble:
      "bg-emerald-50 text-emerald-900 border border-emerald-200 font-mono text-xs dark:bg-emerald-950 dark:text-emerald-100 dark:border-emerald-900",
    label: "tool",
  },
};
const CUSTOM = {
  row: "justify-start",
  bubble: "bg-sky-50 text-sky-900 border border-sky-200 dark:bg-sky-950 dark:text-sky-100 dark:border-sky-900",
};

/** Splits messages into rows, marking where a new execution starts (thread view). */
export function chatItems(messages: ThreadMessage[], boundaries: boolean): Item[] {
  const items: Item[] = [];
  let current: string | null = null;
  for (const m of messages) {
    if (boundaries && m.executionId !== current) items.push({ kind: "boundary", executionId: m.executionId, at: m.at });
    current = m.executionId;
    items.push({ kind: "message", message: m });
  }
  return items;
}

type Props = {
  messages: ThreadMessage[];
  onOpen: (message: ThreadMessage) => void;
  selectedId?: string | null;
  /** Thread view: mark and link execution boundaries. */
  boundaries?: boolean;
  /** Keep the view pinned to the newest message as messages arrive. */
  follow?: boolean;
};

/**
 * Conversation as chat bubbles: users on the left, the assistant on the right, system, tool and
 * custom roles styled apart. Virtualised with measured rows, so thousands of messages scroll.
 */
export function ChatView({ messages, onOpen, selectedId, boundaries = false, follow = true }: Props) {
  const items = useMemo(() => chatItems(messages, boundaries), [messages, boundaries]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (items[i].kind === "boundary" ? 36 : 64),
    overscan: 12,
  });
  const lastCount = useRef(0);
  useEffect(() => {
    if (follow && items.length > 0 && items.length !== lastCount.current)
      virtualizer.scrollToIndex(items.length - 1, { align: "end" });
    lastCount.current = items.length;
  }, [items.length, follow, virtualizer]);

  // The selected message (a clicked bubble, or a `?message=` link) is scrolled into view.
  const selectedIndex = selectedId ? items.findIndex((i) => i.kind === "message" && i.message.id === selectedId) : -1;
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: "auto" });
  }, [selectedIndex, virtualizer]);

  if (messages.length === 0) return <p className="p-6 text-sm text-zinc-500">No messages.</p>;

  return (
    <div ref={scrollRef} className="h-full overflow-y-auto" data-testid="chat-view">
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((v) => {
          const item = items[v.index];
          return (
            <div
              key={v.key}
              data-index={v.index}
              ref={virtualizer.measureElement}
              className="absolute left-0 w-full px-4 py-1"
              style={{ transform: `translateY(${v.start}px)` }}
            >
              {item.kind === "boundary" ? (
                <div className="flex items-center gap-2 py-1 text-xs text-zinc-500" data-testid="execution-boundary">
                  <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
                  <Link href={`/executions/${encodeURIComponent(item.executionId)}`} className="hover:underline">
                    Execution {item.executionId} · {formatDateTime(item.at)}
                  </Link>
                  <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
                </div>
              ) : (
                <Bubble message={item.message} selected={item.message.id === selectedId} onOpen={onOpen} />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** The span a message was read from (OTel LLM calls' turns), or null for messages sent as such. */
export function sourceSpanId(m: ThreadMessage): string | null {
  const id = m.metadata?.sourceSpanId;
  return typeof id === "string" && id !== "" ? id : null;
}

/** Memoised: scrolling re-renders the list, not the (markdown-parsed) bubbles already on screen. */
const Bubble = memo(function Bubble({
  message,
  selected,
  onOpen,
}: {
  message: ThreadMessage;
  selected: boolean;
  onOpen: (m: ThreadMessage) => void;
}) {
  const style = BUBBLE[message.role] ?? CUSTOM;
  const label = BUBBLE[message.role] ? BUBBLE[message.role].label : message.role;
  const source = sourceSpanId(message);
  return (
    <div className={cn("flex", style.row)}>
      {/* biome-ignore lint/a11y/useSemanticElements: a bubble holds rich content (buttons, links), so it cannot be a <button> */}
      <div
        role="button"
        tabIndex={0}
        data-testid="chat-bubble"
        data-role={message.role}
        title={formatDateTime(message.at)}
        onClick={() => onOpen(message)}
        onKeyDown={(e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            onOpen(message);
          }
        }}
        className={cn(
          "max-w-[80%] cursor-pointer rounded-2xl px-3.5 py-2 text-sm shadow-xs transition-shadow hover:shadow-md",
          style.bubble,
          selected && "ring-2 ring-amber-400",
        )}
      >
        <div className="mb-0.5 flex items-baseline gap-2 text-[10px] opacity-75" data-testid="bubble-meta">
          <span className="font-semibold tracking-wide uppercase">{label}</span>
          <time dateTime={message.at} className="tabular-nums">
            {formatTime(message.at)}
          </time>
        </div>
        <MessageBody content={message.content} />
        {source && (
          <Link
            href={`/executions/${encodeURIComponent(message.executionId)}?span=${encodeURIComponent(source)}`}
            onClick={(e) => e.stopPropagation()}
            className="mt-1 block text-[10px] underline opacity-70 hover:opacity-100"
            data-testid="bubble-source"
          >
            from span {source}
          </Link>
        )}
      </div>
    </div>
  );
});
