"use client";

import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, MessagesSquare, Search } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";
import { useLiveNotices } from "@/components/live/use-live-notices";
import { api } from "@/lib/client/api";
import type { ThreadMessage } from "@/lib/contracts/conversations";
import { formatCost, formatDateTime, plural } from "@/lib/format";
import { useSpan } from "../traces/queries";
import { SpanDetail } from "../traces/span-detail";
import { Button } from "../ui/button";
import { Alert, Card, EmptyState } from "../ui/card";
import { cn } from "../ui/cn";
import { PanelSkeleton } from "../ui/skeleton";
import { ChatView, sourceSpanId } from "./chat-view";
import { previewText } from "./message-content";
import { threadKeys } from "./queries";

/** Threads sidebar (most recent first, searchable) and the selected thread's whole conversation. */
export function ThreadsBrowser({ selected }: { selected: string | null }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const q = params.get("q") ?? "";
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<ThreadMessage | null>(null);

  const threads = useInfiniteQuery({
    queryKey: threadKeys.list(q),
    queryFn: ({ pageParam }) =>
      api.request("GET /api/v1/runtime/v1/observability/threads", {
        query: { limit: 50, q: q || undefined, cursor: pageParam || undefined },
      }),
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const messages = useQuery({
    queryKey: threadKeys.messages(selected),
    queryFn: () =>
      api.request("GET /api/v1/runtime/v1/observability/threads/[threadId]/messages", {
        params: { threadId: selected! },
      }),
    enabled: !!selected,
  });

  // New messages arrive live: any execution write refreshes the list and the open thread.
  useLiveNotices(
    useCallback(
      (n) => {
        if (n.kind !== "executions") return;
        void queryClient.invalidateQueries({ queryKey: threadKeys.all });
      },
      [queryClient],
    ),
  );

  const list = threads.data?.pages.flatMap((p) => p.threads) ?? [];
  const search = (value: string) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set("q", value);
    else next.delete("q");
    router.replace(`${pathname}${next.size ? `?${next}` : ""}`);
  };

  return (
    // Three columns on a wide screen; below, the list beside the conversation, and on a phone one of
    // them at a time (the conversation once a thread is picked, with the way back to the list). An
    // opened message's span follows the conversation wherever it has no column of its own.
    <div className="grid gap-3 lg:grid-cols-[18rem_minmax(0,1fr)] xl:h-[calc(100vh-11rem)] xl:grid-cols-[20rem_minmax(0,1fr)_24rem]">
      <Card className={cn("flex h-[70vh] min-h-0 flex-col overflow-hidden xl:h-auto", selected && "max-lg:hidden")}>
        <form
          className="relative border-b border-zinc-200 p-2 dark:border-zinc-800"
          onSubmit={(e) => {
            e.preventDefault();
            search(String(new FormData(e.currentTarget).get("q") ?? "").trim());
          }}
        >
          <Search className="pointer-events-none absolute top-4 left-4 size-4 text-zinc-400" aria-hidden="true" />
          <input
            key={q}
            name="q"
            type="search"
            defaultValue={q}
            placeholder="Search messages or thread ids"
            aria-label="Search threads"
            className="w-full rounded-md border border-zinc-300 bg-white py-1.5 pr-2 pl-8 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
        </form>
        <nav aria-label="Threads" className="min-h-0 flex-1 overflow-y-auto">
          {threads.isPending && <PanelSkeleton label="Loading threads" lines={8} />}
          {threads.isError && <p className="p-4 text-sm text-red-600">{threads.error.message}</p>}
          {threads.isSuccess && list.length === 0 && (
            <p className="p-4 text-sm text-zinc-500">{q ? "No thread matches." : "No threads yet."}</p>
          )}
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {list.map((t) => (
              <li key={t.threadId}>
                <Link
                  href={`/threads/${encodeURIComponent(t.threadId)}${q ? `?q=${encodeURIComponent(q)}` : ""}`}
                  aria-current={t.threadId === selected ? "page" : undefined}
                  data-testid="thread-item"
                  className={cn(
                    "block px-3 py-2 hover:bg-zinc-50 dark:hover:bg-zinc-800/50",
                    t.threadId === selected && "bg-indigo-50 dark:bg-indigo-950",
                  )}
                >
                  <div className="flex items-baseline justify-between gap-2">
                    <span className="truncate font-mono text-xs font-medium">{t.threadId}</span>
                    <span className="shrink-0 text-[11px] text-zinc-500">{formatDateTime(t.lastActivityAt)}</span>
                  </div>
                  <p className="mt-0.5 truncate text-sm text-zinc-700 dark:text-zinc-300" data-testid="thread-preview">
                    {t.lastMessage
                      ? `${t.lastMessage.role === "user" ? "" : "↪ "}${previewText(t.lastMessage.content)}`
                      : "No messages"}
                  </p>
                  <p className="mt-0.5 text-[11px] text-zinc-500">
                    {t.agent} · {plural(t.messageCount, "message")} · {plural(t.executionCount, "execution")}
                    {t.cost !== null && <> · {formatCost(t.cost)}</>}
                  </p>
                </Link>
              </li>
            ))}
          </ul>
          {threads.hasNextPage && (
            <div className="p-2 text-center">
              <Button
                variant="ghost"
                size="sm"
                onClick={() => threads.fetchNextPage()}
                disabled={threads.isFetchingNextPage}
              >
                Load more
              </Button>
            </div>
          )}
        </nav>
      </Card>

      <Card className={cn("flex h-[70vh] min-h-0 flex-col overflow-hidden xl:h-auto", !selected && "max-lg:hidden")}>
        {!selected ? (
          <div className="p-4">
            <EmptyState icon={<MessagesSquare className="size-8" />} title="Pick a thread">
              Executions that share a <code className="font-mono">threadId</code> form a conversation. Messages sent
              with <code className="font-mono">message()</code> appear as chat bubbles.
            </EmptyState>
          </div>
        ) : messages.isPending ? (
          <PanelSkeleton label="Loading conversation" />
        ) : messages.isError ? (
          <div className="p-4">
            <Alert>{messages.error.message}</Alert>
          </div>
        ) : (
          <>
            <header className="border-b border-zinc-200 px-4 py-2 dark:border-zinc-800">
              <Link
                href={`/threads${q ? `?q=${encodeURIComponent(q)}` : ""}`}
                className="mb-1 inline-flex items-center gap-1 text-xs text-indigo-700 hover:underline lg:hidden dark:text-indigo-300"
              >
                <ArrowLeft className="size-3.5" aria-hidden="true" /> All threads
              </Link>
              <h2 className="font-mono text-sm font-semibold break-all">{selected}</h2>
              <p className="text-xs text-zinc-500">{plural(messages.data.messages.length, "message")}</p>
            </header>
            <div className="min-h-0 flex-1">
              <ChatView messages={messages.data.messages} onOpen={setOpen} selectedId={open?.id} boundaries />
            </div>
          </>
        )}
      </Card>

      <Card
        className={cn(
          "min-h-0 overflow-hidden max-xl:h-[70vh] lg:max-xl:col-span-2",
          open ? "block" : "hidden xl:block",
        )}
      >
        {open ? (
          <MessageSpan message={open} onClose={() => setOpen(null)} />
        ) : (
          <p className="p-6 text-sm text-zinc-500">Click a message to see its trace.</p>
        )}
      </Card>
    </div>
  );
}

/** A message's span: the LLM call it was read from (OTel turns), else its own conversation_message span. */
function MessageSpan({ message, onClose }: { message: ThreadMessage; onClose: () => void }) {
  const spanId = sourceSpanId(message) ?? message.id;
  const span = useSpan(message.executionId, spanId);
  if (span.isError) return <p className="p-6 text-sm text-red-600">{span.error.message}</p>;
  if (!span.data) return <PanelSkeleton label="Loading span" />;
  return <SpanDetail span={span.data.span} onClose={onClose} />;
}
