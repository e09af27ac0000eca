import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { getDb } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Review" };

export default async function ReviewPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requirePortalContext();
  const review = await (await getDb()).prisma.review.findFirst({
    where: { id: (await params).id, workspaceId: ctx.workspace!.id },
  });
  if (!review) notFound();
  return (
    <>
      <PageHeader
        title="Review"
        description={`Created ${formatDateTime(review.createdAt.toISOString())} by ${review.reviewedBy}`}
      />
      <Card className="space-y-3 p-4 text-sm">
        <div className="flex gap-2">
          <Badge>{review.status}</Badge>
          <Badge>{review.rating}</Badge>
          <Badge>{review.priority}</Badge>
        </div>
        <p className="whitespace-pre-wrap">{review.comment}</p>
        <Link
          className="text-indigo-600 hover:underline"
          href={`/executions/${encodeURIComponent(review.executionId)}`}
        >
          Open execution {review.executionId}
        </Link>
      </Card>
    </>
  );
}
