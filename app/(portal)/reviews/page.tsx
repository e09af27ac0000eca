import type { Metadata } from "next";
import { Suspense } from "react";
import { ReviewQueue } from "@/components/reviews/review-queue";
import { PageHeader } from "@/components/ui/card";
import { requirePortalContext } from "../../_lib/session";

export const metadata: Metadata = { title: "Reviews" };

export default async function ReviewsPage() {
  const ctx = await requirePortalContext();
  return (
    <>
      <PageHeader
        title="Reviews"
        description="QA queue: triage flagged executions, resolve them with a corrected answer, export for fine-tuning."
      />
      <Suspense>
        <ReviewQueue me={ctx.user.id} />
      </Suspense>
    </>
  );
}
