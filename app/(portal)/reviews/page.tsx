import { ClipboardCheck } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { getDb } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { requirePortalContext } from "../../_lib/session";

export const metadata: Metadata = { title: "Reviews" };

export default async function ReviewsPage() {
  const ctx = await requirePortalContext();
  const reviews = await (await getDb()).prisma.review.findMany({
    where: { workspaceId: ctx.workspace!.id },
    orderBy: [{ createdAt: "desc" }],
    take: 200,
  });
  return (
    <>
      <PageHeader title="Reviews" description="QA reviews of executions." />
      {reviews.length === 0 ? (
        <EmptyState icon={<ClipboardCheck className="size-8" />} title="No reviews yet">
          Reviews created through the reviews API appear here.
        </EmptyState>
      ) : (
        <Card>
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {reviews.map((r) => (
              <li key={r.id}>
                <Link
                  href={`/reviews/${r.id}`}
                  className="flex items-center gap-3 px-4 py-2.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/50"
                >
                  <Badge>{r.status}</Badge>
                  <Badge tone={r.rating === "good" ? "green" : r.rating === "bad" ? "red" : "neutral"}>
                    {r.rating}
                  </Badge>
                  <span className="min-w-0 flex-1 truncate">{r.comment}</span>
                  <span className="text-zinc-500">{formatDateTime(r.createdAt.toISOString())}</span>
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </>
  );
}
