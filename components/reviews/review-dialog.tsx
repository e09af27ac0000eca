"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ClipboardCheck } from "lucide-react";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { ApiClientError, api } from "@/lib/client/api";
import { type CreateReview, PRIORITIES, RATINGS } from "@/lib/contracts/reviews";
import { Button } from "../ui/button";
import { Alert } from "../ui/card";
import { Field, Select } from "../ui/field";
import { reviewKeys } from "./queries";
import { RATING_LABEL } from "./review-options";

/** The execution page's "Review" button: flags a run for QA (rating, comment, priority, tags). */
export function ReviewButton({ executionId, agent }: { executionId: string; agent: string }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [rating, setRating] = useState<(typeof RATINGS)[number]>("bad");
  const check = useQuery({
    queryKey: reviewKeys.check(executionId),
    queryFn: () => api.request("GET /api/v1/runtime/v1/reviews/check", { query: { executionId } }),
  });
  const create = useMutation({
    mutationFn: (body: CreateReview) => api.request("POST /api/v1/runtime/v1/reviews", { body }),
    onSuccess: () => {
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: reviewKeys.check(executionId) });
      void queryClient.invalidateQueries({ queryKey: reviewKeys.all });
    },
  });

  if (check.data?.hasReview) {
    return (
      <Link
        href={`/reviews/${check.data.reviewId}`}
        className="inline-flex items-center gap-1.5 rounded-md border border-zinc-300 px-2.5 py-1 text-sm hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
      >
        <ClipboardCheck className="size-4" /> View review
      </Link>
    );
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const tags = String(f.get("tags") ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    create.mutate({
      executionId,
      agentId: agent,
      rating,
      comment: f.get("comment") as string,
      priority: f.get("priority") as CreateReview["priority"],
      tags,
    });
  }

  const err = create.error instanceof ApiClientError ? create.error : null;
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)}>
        <ClipboardCheck className="size-4" /> Review
      </Button>
      {open && (
        // biome-ignore lint/a11y/noStaticElementInteractions: clicking the backdrop closes it
        <div
          className="fixed inset-0 z-50 flex items-center justify-center bg-black/40 p-4"
          role="presentation"
          onClick={(e) => e.target === e.currentTarget && setOpen(false)}
        >
          <div
            role="dialog"
            aria-modal="true"
            aria-label="Review this execution"
            className="w-full max-w-md rounded-xl bg-white p-5 shadow-xl dark:bg-zinc-900"
          >
            <h2 className="text-lg font-semibold">Review this execution</h2>
            <form onSubmit={submit} className="mt-4 space-y-3" noValidate>
              {err && !err.details.length && <Alert>{err.message}</Alert>}
              <fieldset>
                <legend className="mb-1 text-sm font-medium">Rating</legend>
                <div className="flex gap-2">
                  {RATINGS.map((r) => (
                    <label key={r} className="flex items-center gap-1 text-sm">
                      <input
                        type="radio"
                        name="rating"
                        value={r}
                        checked={rating === r}
                        onChange={() => setRating(r)}
                      />{" "}
                      {RATING_LABEL[r]}
                    </label>
                  ))}
                </div>
              </fieldset>
              <div>
                <label htmlFor="review-comment" className="mb-1 block text-sm font-medium">
                  Comment
                </label>
                <textarea
                  id="review-comment"
                  name="comment"
                  rows={4}
                  autoFocus
                  className="w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
                  aria-invalid={!!err?.fieldError("comment")}
                />
                {err?.fieldError("comment") ? (
                  <p className="mt-1 text-sm text-red-600">{err.fieldError("comment")}</p>
                ) : (
                  <p className="mt-1 text-xs text-zinc-500">
                    At least 10 characters: what is wrong, what was expected.
                  </p>
                )}
              </div>
              <Select label="Priority" name="priority" defaultValue="medium">
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </Select>
              <Field label="Tags" name="tags" placeholder="comma, separated" />
              <div className="flex justify-end gap-2 pt-2">
                <Button variant="ghost" onClick={() => setOpen(false)}>
                  Cancel
                </Button>
                <Button type="submit" disabled={create.isPending}>
                  {create.isPending ? "Saving…" : "Submit review"}
                </Button>
              </div>
            </form>
          </div>
        </div>
      )}
    </>
  );
}
