import type { Metadata } from "next";
import { RedactionPanel } from "@/components/settings/redaction-panel";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Redaction" };

export default async function RedactionPage() {
  const ctx = await requirePortalContext();
  return <RedactionPanel canEdit={ctx.can("workspace.manage")} />;
}
