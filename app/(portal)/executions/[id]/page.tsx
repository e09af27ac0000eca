import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ExecutionExplorer } from "@/components/traces/execution-explorer";
import { getDb } from "@/lib/db";
import { getExecution } from "@/lib/traces/read";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Execution" };

export default async function ExecutionPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requirePortalContext();
  const id = decodeURIComponent((await params).id);
  // Another workspace's execution is not found, exactly like a missing one.
  if (!(await getExecution(await getDb(), ctx.workspace!.id, id))) notFound();
  return <ExecutionExplorer id={id} canDelete={ctx.can("data.delete")} />;
}
