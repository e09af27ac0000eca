import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DataPanel } from "@/components/data/data-panel";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Data" };

export default async function DataPage() {
  const ctx = await requirePortalContext();
  if (!ctx.can("data.delete")) notFound();
  return <DataPanel />;
}
