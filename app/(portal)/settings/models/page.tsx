import type { Metadata } from "next";
import { ModelsPanel } from "@/components/settings/models-panel";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  const ctx = await requirePortalContext();
  return <ModelsPanel canEdit={ctx.can("workspace.manage")} />;
}
