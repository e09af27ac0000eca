import type { Metadata } from "next";
import { DataPanel } from "@/components/data/data-panel";
import { DataSettingsSection } from "@/components/data/data-settings-section";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Data" };

/** Retention, budget and usage for every member (owners and admins edit); erasure and the deletion record for those who may delete. */
export default async function DataPage() {
  const ctx = await requirePortalContext();
  return (
    <div className="space-y-4">
      <DataSettingsSection canEdit={ctx.can("workspace.manage")} />
      {ctx.can("data.delete") && <DataPanel />}
    </div>
  );
}
