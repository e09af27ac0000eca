import type { Metadata } from "next";
import { Suspense } from "react";
import { ThreadsBrowser } from "@/components/conversations/threads-browser";
import { PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Thread" };

export default async function ThreadPage({ params }: { params: Promise<{ threadId: string }> }) {
  const threadId = decodeURIComponent((await params).threadId);
  return (
    <>
      <PageHeader title="Threads" description="Conversations: the executions that share a thread id, as one chat." />
      <Suspense>
        <ThreadsBrowser selected={threadId} />
      </Suspense>
    </>
  );
}
