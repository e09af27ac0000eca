import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ReviewDetail } from "@/components/reviews/review-detail";
import { getDb } from "@/lib/db";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Review" };

export default async function ReviewPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requirePortalContext();
  const { id } = await params;
  const exists = await (await getDb()).prisma.review.findFirst({
    where: { id, workspaceId: ctx.workspace!.id },
    select: { id: true },
  });
  if (!exists) notFound();
  return (
    <Suspense>
      <ReviewDetail key={id} id={id} canWrite={ctx.can("reviews.write")} />
    </Suspense>
  );
}
