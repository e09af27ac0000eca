"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { api } from "@/lib/client/api";
import type { ThreadMessage } from "@/lib/contracts/conversations";
import { PRIORITIES, RATINGS, REVIEW_STATUSES, type Review, type UpdateReview } from "@/lib/contracts/reviews";
import { formatDateTime } from "@/lib/format";
import { contentText } from "@/lib/messages/text";
import { useMembers } from "../settings/queries";
import { ExecutionExplorer } from "../traces/execution-explorer";
import { useExecutionMessages } from "../traces/queries";
import { Button } from "../ui/button";
import { Alert, Badge, Card } from "../ui/card";
import { cn } from "../ui/cn";
import { COMPACT_CONTROL, InlineSelect } from "../ui/field";
import { ExplorerSkeleton, PanelSkeleton } from "../ui/skeleton";
import { KeyHelp } from "./key-help";
import { reviewKeys } from "./queries";
import { ACTION_LABEL, ACTIONS, PRIORITY_TONE, RATING_LABEL } from "./review-options";

/** The original answer, to prefill the corrected output: the last assistant message, else the execution's output. */
function originalAnswer(messages: ThreadMessage[] | undefined, output: unknown): string {
  const last = messages?.filter((m) => m.role === "assistant").at(-1);
  if (last) return contentText(last.content);
  return output === null || output === undefined ? "" : contentText(output);
}

/** One review beside its execution: rating, triage fields, assignment and resolution, with keyboard triage. */
export function ReviewDetail({ id, canWrite }: { id: string; canWrite: boolean }) {
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const [help, setHelp] = useState(false);
  const correctedRef = useRef<HTMLTextAreaElement>(null);
  const review = useQuery({
    queryKey: reviewKeys.one(id),
    queryFn: () => api.request("GET /api/v1/runtime/v1/reviews/[id]", { params: { id } }),
  });
  const executionId = review.data?.executionId;
  const execution = useQuery({
    queryKey: reviewKeys.execution(executionId ?? ""),
    queryFn: () =>
      api.request("GET /api/v1/observability/executions/[id]/outline", {
        params: { id: executionId! },
        query: { limit: 1 },
      }),
    enabled: !!executionId,
  });
  const messages = useExecutionMessages(executionId);
  const members = useMembers();
  // The queue's order (same filters), for j/k.
  const queueFilters = new URLSearchParams(params.toString());
  const queue = useQuery({
    queryKey: reviewKeys.queueIds(params.toString()),
    queryFn: () =>
      api.request("GET /api/v1/runtime/v1/reviews", {
        query: new URLSearchParams({ ...Object.fromEntries(queueFilters), sort: "priority", limit: "200" }),
      }),
  });

  const [draft, setDraft] = useState<{ actionTaken: string; resolutionNotes: string; correctedOutput: string } | null>(
    null,
  );
  useEffect(() => {
    if (!review.data || draft || !execution.data || !messages.data) return;
    setDraft({
      actionTaken: review.data.actionTaken ?? "prompt_fixed",
      resolutionNotes: review.data.resolutionNotes ?? "",
      correctedOutput:
        review.data.correctedOutput ?? originalAnswer(messages.data.messages, execution.data.execution.output),
    });
  }, [review.data, execution.data, messages.data, draft]);

  const update = useMutation({
    mutationFn: (patch: UpdateReview) =>
      api.request("PATCH /api/v1/runtime/v1/reviews/[id]", { params: { id }, body: patch }),
    onSuccess: (r) => {
      queryClient.setQueryData(reviewKeys.one(id), r);
      void queryClient.invalidateQueries({ queryKey: reviewKeys.all, refetchType: "none" });
    },
  });

  /** The review `step` places from this one in the queue (the first when this one is not in it). */
  const neighbour = (step: number) => {
    const ids = queue.data?.reviews.map((r) => r.id) ?? [];
    const at = ids.indexOf(id);
    const next = at === -1 ? ids.find((x) => x !== id) : ids[at + step];
    return next ?? null;
  };
  const go = (step: number) => {
    const next = neighbour(step);
    if (next) router.push(`/reviews/${next}?${params}`);
  };
  /** Resolves with the draft; `andNext` then opens the next review of the queue (or the queue when none is left). */
  const resolve = (andNext = false) => {
    if (!draft || update.isPending) return;
    const next = andNext ? neighbour(1) : null;
    update.mutate(
      { status: "resolved", ...draft },
      {
        onSuccess: () => {
          if (!andNext) {
            toast.success("Review resolved");
            return;
          }
          if (next) {
            toast.success("Review resolved: here is the next one");
            router.push(`/reviews/${next}?${params}`);
          } else {
            toast.success("Review resolved: that was the last one of the queue");
            router.push(`/reviews${params.size ? `?${params}` : ""}`);
          }
        },
        onError: (e) => toast.error(`Could not resolve: ${e.message}`),
      },
    );
  };

  // Triage keys work anywhere on the page, except while typing in a field.
  const keyHandler = useRef<(e: KeyboardEvent) => void>(() => {});
  keyHandler.current = (e: KeyboardEvent) => {
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return;
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    const k = e.key;
    if (k === "j") go(1);
    else if (k === "k") go(-1);
    else if (k === "?") setHelp((h) => !h);
    else if (canWrite && k === "g") update.mutate({ rating: "good" });
    else if (canWrite && k === "b") update.mutate({ rating: "bad" });
    else if (canWrite && k === "n") update.mutate({ rating: "neutral" });
    else if (canWrite && k === "e") correctedRef.current?.focus();
    else if (canWrite && k === "r") resolve();
    else if (canWrite && k === "R") resolve(true);
    else if (k === "Escape") setHelp(false);
    else return;
    e.preventDefault();
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => keyHandler.current(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  if (review.isPending) return <ReviewSkeleton />;
  if (review.isError) return <Alert>{review.error.message}</Alert>;
  const r = review.data;

  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(24rem,2fr)]" data-testid="review-page">
      <div className="min-h-0">
        <ExecutionExplorer id={r.executionId} embedded />
      </div>
      {/* Below the two-column width the form comes first: the reviewer's work, then the execution. */}
      <Card className="order-first space-y-4 self-start p-4 xl:order-none">
        <header className="flex flex-wrap items-center gap-2">
          <h1 className="text-lg font-semibold">Review</h1>
          <Badge tone={PRIORITY_TONE[r.priority]}>{r.priority}</Badge>
          <Badge>{r.status.replace("_", " ")}</Badge>
          <span className="ml-auto text-xs text-zinc-500">
            by {r.reviewedBy} · {formatDateTime(r.createdAt)}
          </span>
        </header>
        {update.isError && <Alert>{update.error.message}</Alert>}
        <div>
          <div className="mb-1 text-sm font-medium">Rating</div>
          <div className="flex gap-1" role="radiogroup" aria-label="Rating">
            {RATINGS.map((v) => (
              // biome-ignore lint/a11y/useSemanticElements: a segmented control; each choice saves at once
              <button
                key={v}
                type="button"
                role="radio"
                aria-checked={r.rating === v}
                disabled={!canWrite}
                onClick={() => update.mutate({ rating: v })}
                className={cn(
                  "rounded-md border px-3 py-1 text-sm",
                  r.rating === v
                    ? "border-indigo-600 bg-indigo-600 text-white"
                    : "border-zinc-300 dark:border-zinc-700",
                )}
              >
                {RATING_LABEL[v]} <kbd className="ml-1 opacity-60">{v[0]}</kbd>
              </button>
            ))}
          </div>
        </div>
        <p className="rounded-md bg-zinc-50 p-2 text-sm whitespace-pre-wrap dark:bg-zinc-800">{r.comment}</p>
        <div className="grid grid-cols-2 gap-3">
          <label className="text-sm" htmlFor="review-status">
            Status
            <InlineSelect
              id="review-status"
              className="w-full"
              value={r.status}
              disabled={!canWrite}
              onChange={(e) => update.mutate({ status: e.target.value as Review["status"] })}
            >
              {REVIEW_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.replace("_", " ")}
                </option>
              ))}
            </InlineSelect>
          </label>
          <label className="text-sm" htmlFor="review-priority">
            Priority
            <InlineSelect
              id="review-priority"
              className="w-full"
              value={r.priority}
              disabled={!canWrite}
              onChange={(e) => update.mutate({ priority: e.target.value as Review["priority"] })}
            >
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </InlineSelect>
          </label>
          <label className="text-sm" htmlFor="review-assignee">
            Assignee
            <InlineSelect
              id="review-assignee"
              className="w-full"
              value={r.assigneeId ?? ""}
              disabled={!canWrite}
              onChange={(e) => update.mutate({ assigneeId: e.target.value || null })}
            >
              <option value="">Unassigned</option>
              {members.data?.members.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name}
                </option>
              ))}
            </InlineSelect>
          </label>
          <label className="text-sm">
            Tags
            <input
              className={`${COMPACT_CONTROL} w-full`}
              defaultValue={r.tags.join(", ")}
              disabled={!canWrite}
              onBlur={(e) => {
                const tags = e.target.value
                  .split(",")
                  .map((t) => t.trim())
                  .filter(Boolean);
                if (tags.join() !== r.tags.join()) update.mutate({ tags });
              }}
            />
          </label>
        </div>
        <section className="space-y-2 border-t border-zinc-200 pt-3 dark:border-zinc-800">
          <h2 className="text-sm font-semibold">Resolution</h2>
          {r.status === "resolved" && (
            <p className="text-xs text-emerald-700 dark:text-emerald-300">
              Resolved by {r.resolvedBy} · {formatDateTime(r.resolvedAt)}
            </p>
          )}
          {draft ? (
            <>
              <label className="block text-sm" htmlFor="review-action-taken">
                Action taken
                <InlineSelect
                  id="review-action-taken"
                  className="w-full"
                  value={draft.actionTaken}
                  disabled={!canWrite}
                  onChange={(e) => setDraft({ ...draft, actionTaken: e.target.value })}
                >
                  {ACTIONS.map((a) => (
                    <option key={a} value={a}>
                      {ACTION_LABEL[a]}
                    </option>
                  ))}
                </InlineSelect>
              </label>
              <label className="block text-sm">
                Notes
                <textarea
                  className={`${COMPACT_CONTROL} w-full`}
                  rows={2}
                  value={draft.resolutionNotes}
                  disabled={!canWrite}
                  onChange={(e) => setDraft({ ...draft, resolutionNotes: e.target.value })}
                />
              </label>
              <label className="block text-sm">
                Corrected output{" "}
                <span className="text-xs text-zinc-500">
                  (prefilled with the original answer; used for fine-tuning)
                </span>
                <textarea
                  ref={correctedRef}
                  className={`${COMPACT_CONTROL} w-full font-mono`}
                  rows={6}
                  value={draft.correctedOutput}
                  disabled={!canWrite}
                  onChange={(e) => setDraft({ ...draft, correctedOutput: e.target.value })}
                  aria-label="Corrected output"
                />
              </label>
              {canWrite && (
                <div className="flex flex-wrap gap-2">
                  <Button onClick={() => resolve(true)} disabled={update.isPending}>
                    Resolve and next <kbd className="opacity-70">R</kbd>
                  </Button>
                  <Button variant="secondary" onClick={() => resolve()} disabled={update.isPending}>
                    Resolve <kbd className="opacity-70">r</kbd>
                  </Button>
                </div>
              )}
            </>
          ) : (
            <PanelSkeleton label="Loading the original answer" lines={4} />
          )}
        </section>
        <p className="text-xs text-zinc-500">
          <kbd>j</kbd>/<kbd>k</kbd> next/previous · <kbd>g</kbd>/<kbd>b</kbd>/<kbd>n</kbd> rate · <kbd>e</kbd> edit ·{" "}
          <kbd>r</kbd> resolve · <kbd>R</kbd> resolve and next · <kbd>?</kbd> keys
        </p>
      </Card>
      {help && <KeyHelp onClose={() => setHelp(false)} />}
    </div>
  );
}

/** The review page's shape while it loads: the execution beside the review form. */
export function ReviewSkeleton() {
  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(24rem,2fr)]">
      <ExplorerSkeleton embedded />
      <Card className="order-first self-start xl:order-none">
        <PanelSkeleton label="Loading review" lines={8} />
      </Card>
    </div>
  );
}
