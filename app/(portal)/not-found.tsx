import type { Metadata } from "next";
import { NotFoundPanel } from "@/components/shell/status-page";

export const metadata: Metadata = { title: "Not found" };

/** notFound() in a portal page (an execution, review or thread that is missing or another workspace's). */
export default function PortalNotFound() {
  return <NotFoundPanel />;
}
