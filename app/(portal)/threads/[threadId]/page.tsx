import type { Metadata } from "next";
import { Suspense } from "react";
import { ThreadsBrowser } from "@/components/conversations/threads-browser";

export const metadata: Metadata = { title: "Thread" };

export default async function ThreadPage({ params }: { params: Promise<{ threadId: string }> }) {
  const threadId = decodeURIComponent((await params).threadId);
  return (
    <Suspense>
      <ThreadsBrowser selected={threadId} />
    </Suspense>
  );
}
