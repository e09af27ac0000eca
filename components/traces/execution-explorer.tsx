"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useLiveNotices } from "@/components/live/use-live-notices";
import { api } from "@/lib/client/api";
import type { ThreadMessage } from "@/lib/contracts/conversations";
import { type Execution, OUTLINE_DEFAULT_LIMIT, OUTLINE_MAX_LIMIT, type OutlineSpan } from "@/lib/contracts/executions";
import { formatCost, formatDateTime, formatDuration, formatNumber } from "@/lib/format";
import { ChatView, sourceSpanId } from "../conversations/chat-view";
import { DeleteExecutionButton } from "../data/delete-execution";
import { StatusBadge } from "../executions/status-badge";
import { ReviewButton } from "../reviews/review-dialog";
import { SOURCE_LABELS } from "../sources/source-label";
import { Button } from "../ui/button";
import { Alert, Card } from "../ui/card";
import { cn } from "../ui/cn";
import { CopyButton } from "../ui/copy-button";
import { ExplorerSkeleton, PanelSkeleton } from "../ui/skeleton";
import { ExecutionChain } from "./execution-chain";
import { loadRemainingSpans } from "./outline-paging";
import { executionKeys, useExecutionMessages, useSpan } from "./queries";
import { readSelection, type SelectionParams, withSelection } from "./selection-url";
import { SpanDetail } from "./span-detail";
import { TraceView } from "./trace-view";

type Loaded = { execution: Execution; spans: OutlineSpan[]; total: number; complete: boolean };

const outlinePage = (id: string, offset: number, limit = OUTLINE_DEFAULT_LIMIT) =>
  api.request("GET /api/v1/observability/executions/[id]/outline", { params: { id }, query: { offset, limit } });

/**
 * Loads an execution's trace tree: the first 10,000 spans at once (narrow columns only), then the
 * rest in pages of 20,000 with a progress bar while the tree stays usable. Payloads load per span.
 */
function useExecution(id: string) {
  const queryClient = useQueryClient();
  const key = useMemo(() => executionKeys.detail(id), [id]);
  const query = useQuery({
    queryKey: key,
    queryFn: async (): Promise<Loaded> => {
      const page = await outlinePage(id, 0);
      return { execution: page.execution, spans: page.spans, total: page.total, complete: !page.hasMore };
    },
  });
  // The rest of a big trace, page by page. The loop keys on the first page it extends (a live
  // refetch replaces it and starts a new loop); its own updates do not restart it.
  const firstPage =
    query.data && !query.data.complete && query.data.spans.length <= OUTLINE_DEFAULT_LIMIT ? query.data : null;
  const [base, setBase] = useState<Loaded | null>(null);
  const [pageError, setPageError] = useState<Error | null>(null);
  useEffect(() => {
    if (firstPage) setBase(firstPage);
  }, [firstPage]);
  useEffect(() => {
    if (!base) return;
    let cancelled = false;
    setPageError(null);
    loadRemainingSpans(
      base.spans,
      (offset) => outlinePage(id, offset, OUTLINE_MAX_LIMIT),
      (spans, total, complete) => queryClient.setQueryData<Loaded>(key, { ...base, spans, total, complete }),
      () => cancelled,
    ).catch((e: unknown) => {
      if (!cancelled) setPageError(e instanceof Error ? e : new Error(String(e)));
    });
    return () => {
      cancelled = true;
    };
  }, [base, id, key, queryClient]);
  /** Loads on from the spans shown, starting with the page that failed. */
  const retry = useCallback(() => {
    const shown = queryClient.getQueryData<Loaded>(key);
    if (shown) setBase({ ...shown });
  }, [key, queryClient]);
  return { query, pageError, retry };
}

/** The opened span with every field, fetched when it is opened. */
function OpenSpan({ executionId, spanId, onClose }: { executionId: string; spanId: string; onClose: () => void }) {
  const span = useSpan(executionId, spanId);
  if (span.isPending) return <PanelSkeleton label="Loading span" />;
  if (span.isError)
    return (
      <div className="p-4">
        <Alert>Could not load this span: {span.error.message}</Alert>
      </div>
    );
  return <SpanDetail span={span.data.span} onClose={onClose} />;
}

/**
 * The selection of an explorer: the selected span, whether its panel is open, and the chat bubble it
 * was opened from. It lives in the URL (`?span=`, `?message=`, lib: selection-url.ts), so a link
 * reproduces it; a link followed on this page (a chat bubble's "from span") selects and opens what it
 * names. The panel always shows the selected span: keys, search and clicks move both at once.
 */
function useSelection() {
  const linked = readSelection(useSearchParams());
  const [selectedId, setSelectedId] = useState<string | null>(linked.span);
  const [panelOpen, setPanelOpen] = useState(linked.span !== null);
  const [messageId, setMessageId] = useState<string | null>(linked.message);
  const [linkedView, setLinkedView] = useState<"chat" | "trace" | null>(
    linked.message ? "chat" : linked.span ? "trace" : null,
  );

  // State to URL with replaceState: no history entry per key press and no server round trip (the
  // page is server-rendered); Next's router sees it through useSearchParams.
  const written = useRef<SelectionParams>(linked);
  useEffect(() => {
    const selection = { span: selectedId, message: messageId };
    written.current = selection;
    const next = withSelection(window.location.href, selection);
    if (next !== window.location.href) window.history.replaceState(null, "", next);
  }, [selectedId, messageId]);

  // URL to state, for links followed on this page. Our own writes come back here too, possibly late
  // (several key presses in a row): only a selection that is still the address bar's and is not ours
  // counts.
  useEffect(() => {
    const current = readSelection(new URL(window.location.href).searchParams);
    if (current.span !== linked.span || current.message !== linked.message) return;
    if (written.current.span === linked.span && written.current.message === linked.message) return;
    written.current = { span: linked.span, message: linked.message };
    setSelectedId(linked.span);
    setMessageId(linked.message);
    setPanelOpen(linked.span !== null);
    if (linked.span) setLinkedView(linked.message ? "chat" : "trace");
  }, [linked.span, linked.message]);

  return {
    selectedId,
    /** The span whose details the panel shows, or null while the panel is closed. */
    openId: panelOpen ? selectedId : null,
    messageId,
    linkedView,
    select: setSelectedId,
    open: (spanId: string) => {
      setSelectedId(spanId);
      setPanelOpen(true);
    },
    close: () => setPanelOpen(false),
    openMessage: (message: string, spanId: string) => {
      setMessageId(message);
      setSelectedId(spanId);
      setPanelOpen(true);
    },
    forgetMessage: () => setMessageId(null),
  };
}

/** `embedded`: inside another page (a review): fills its box and leaves the Review button out. */
export function ExecutionExplorer({
  id,
  embedded = false,
  canDelete = false,
}: {
  id: string;
  embedded?: boolean;
  /** Owners and admins: a Delete button (typed confirmation). */
  canDelete?: boolean;
}) {
  const queryClient = useQueryClient();
  const { query, pageError, retry } = useExecution(id);
  const selection = useSelection();
  const [view, setView] = useState<"chat" | "trace" | null>(null);
  const hasConversation = query.data?.execution.hasConversation ?? false;
  const messages = useExecutionMessages(id, hasConversation);

  // Live: a notice about this execution refetches it (new spans appear, status settles).
  useLiveNotices(
    useCallback(
      (n) => {
        if (n.kind === "executions" && n.ids?.includes(id))
          void queryClient.invalidateQueries({ queryKey: executionKeys.detail(id) });
      },
      [id, queryClient],
    ),
  );

  if (query.isPending) return <ExplorerSkeleton embedded={embedded} />;
  if (query.isError) return <Alert>Could not load this execution: {query.error.message}</Alert>;

  const { execution: e, spans, total, complete } = query.data;
  // An execution with conversation messages opens as a chat (or as its link says); the toggle switches.
  const mode = view ?? selection.linkedView ?? (e.hasConversation ? "chat" : "trace");
  const switchView = (v: "chat" | "trace") => {
    setView(v);
    if (v === "trace") selection.forgetMessage();
  };
  // The bubble the panel was opened from stays marked only while its span is the one selected.
  const spanOfMessage = (messageId: string | null) => {
    const m = messageId ? messages.data?.messages.find((x) => x.id === messageId) : undefined;
    return m ? (sourceSpanId(m) ?? m.id) : null;
  };
  const select = (spanId: string) => {
    selection.select(spanId);
    if (selection.messageId && spanOfMessage(selection.messageId) !== spanId) selection.forgetMessage();
  };
  // One tree: the main pane in trace mode, the bubble drawer in chat mode.
  const traceTree = (
    <TraceView
      spans={spans}
      selectedId={selection.selectedId}
      onSelect={select}
      onOpen={selection.open}
      onClose={selection.close}
      running={e.status === "running"}
      autoFocus={!embedded && mode === "trace"}
    />
  );
  // A message read from an LLM call opens that call (its turns, model, tokens); others their own span.
  const openMessage = (m: ThreadMessage) => selection.openMessage(m.id, sourceSpanId(m) ?? m.id);
  const openId = selection.openId;

  return (
    <div className={embedded ? "flex h-[calc(100vh-6rem)] flex-col gap-3" : "flex h-[calc(100vh-3rem)] flex-col gap-3"}>
      <header>
        <div className="flex flex-wrap items-center gap-3">
          {embedded ? (
            <h2 className="text-xl font-semibold tracking-tight break-all">{e.name}</h2>
          ) : (
            <h1 className="text-xl font-semibold tracking-tight break-all">{e.name}</h1>
          )}
          <StatusBadge status={e.status} />
          {!embedded && <ReviewButton executionId={e.id} agent={e.agent} />}
          {!embedded && canDelete && <DeleteExecutionButton executionId={e.id} />}
          {e.hasConversation && (
            <div
              className="ml-auto inline-flex rounded-md border border-zinc-300 p-0.5 text-sm dark:border-zinc-700"
              role="tablist"
              aria-label="View"
            >
              {(["chat", "trace"] as const).map((v) => (
                <button
                  key={v}
                  type="button"
                  role="tab"
                  aria-selected={mode === v}
                  onClick={() => switchView(v)}
                  className={
                    mode === v
                      ? "rounded bg-indigo-600 px-2.5 py-0.5 text-white"
                      : "rounded px-2.5 py-0.5 text-zinc-600 dark:text-zinc-300"
                  }
                >
                  {v === "chat" ? "Chat" : "Trace tree"}
                </button>
              ))}
            </div>
          )}
        </div>
        <div className="mt-1 flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
          <span>{e.agent}</span>
          <span>{formatDateTime(e.startedAt)}</span>
          <span data-testid="execution-duration">
            {e.durationMs === null ? "running" : formatDuration(e.durationMs)}
          </span>
          <span>
            {formatNumber(e.tokens.total)} tokens ({formatNumber(e.tokens.input)} in / {formatNumber(e.tokens.output)}{" "}
            out)
          </span>
          {e.cost !== null && (
            <span data-testid="execution-cost" title="The sum of its model calls' costs (Settings › Models)">
              {formatCost(e.cost)}
            </span>
          )}
          <span>{SOURCE_LABELS[e.source]}</span>
          {e.source === "output" && <ExecutionChain executionId={e.id} />}
          <span className="inline-flex items-center gap-1">
            <span className="font-mono text-xs">{e.id}</span>
            <CopyButton value={e.id} label="Copy id" />
          </span>
          {e.threadId && (
            <span className="inline-flex items-center gap-1">
              <Link
                className="text-indigo-600 hover:underline dark:text-indigo-400"
                href={`/threads/${encodeURIComponent(e.threadId)}`}
              >
                thread {e.threadId}
              </Link>
              <CopyButton value={e.threadId} label="Copy thread id" />
            </span>
          )}
        </div>
        {!complete && !pageError && (
          <div className="mt-2 flex items-center gap-2 text-xs text-zinc-500" role="status">
            <progress max={total} value={spans.length} className="h-1.5 w-48" />
            Loading spans {formatNumber(spans.length)} of {formatNumber(total)}…
          </div>
        )}
        {!complete && pageError && (
          <div className="mt-2">
            <Alert>
              <span className="flex flex-wrap items-center gap-2">
                Loaded {formatNumber(spans.length)} of {formatNumber(total)} spans; the next page failed:{" "}
                {pageError.message}
                <Button variant="secondary" size="sm" onClick={retry}>
                  Retry
                </Button>
              </span>
            </Alert>
          </div>
        )}
      </header>
      <div className="grid min-h-0 flex-1 gap-3 lg:grid-cols-[minmax(0,3fr)_minmax(22rem,2fr)]">
        <Card className="min-h-0 overflow-hidden">
          {mode === "chat" ? (
            messages.isPending ? (
              <PanelSkeleton label="Loading conversation" />
            ) : messages.isError ? (
              <div className="p-4">
                <Alert>Could not load the conversation: {messages.error.message}</Alert>
              </div>
            ) : (
              <ChatView
                messages={messages.data.messages}
                onOpen={openMessage}
                selectedId={openId ? selection.messageId : null}
                follow={false}
              />
            )
          ) : (
            traceTree
          )}
        </Card>
        {/* Stacked below the two-column width, the details follow the conversation or tree, and only once something is open. */}
        <Card className={cn("flex min-h-0 flex-col overflow-hidden", !openId && "max-lg:hidden")}>
          {mode === "chat" && openId ? (
            // The drawer of a bubble lists every trace of the execution, the message's own span selected.
            <>
              <div
                className="h-2/5 min-h-0 border-b border-zinc-200 dark:border-zinc-800"
                data-testid="message-drawer-tree"
              >
                {traceTree}
              </div>
              <div className="min-h-0 flex-1">
                <OpenSpan executionId={id} spanId={openId} onClose={selection.close} />
              </div>
            </>
          ) : openId ? (
            <OpenSpan executionId={id} spanId={openId} onClose={selection.close} />
          ) : (
            <div className="p-6 text-sm text-zinc-500">
              {mode === "chat" ? (
                <>Click a message to see its trace and every trace of this execution.</>
              ) : (
                <>
                  Select a span to see its input, output and metadata. Keys: <kbd>j</kbd>/<kbd>k</kbd> move,{" "}
                  <kbd>h</kbd>/<kbd>l</kbd> fold, <kbd>Enter</kbd> open, <kbd>/</kbd> search.
                </>
              )}
            </div>
          )}
        </Card>
      </div>
    </div>
  );
}
