import type { Metadata } from "next";
import { Suspense } from "react";
import { ThreadsBrowser } from "@/components/conversations/threads-browser";

export const metadata: Metadata = { title: "Threads" };

export default function ThreadsPage() {
  return (
    <Suspense>
      <ThreadsBrowser selected={null} />
    </Suspense>
  );
}
