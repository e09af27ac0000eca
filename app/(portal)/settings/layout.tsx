import type { ReactNode } from "react";
import { SettingsTabs } from "@/components/settings/settings-tabs";
import { PageHeader } from "@/components/ui/card";
import { requirePortalContext } from "../../_lib/session";

export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const ctx = await requirePortalContext();
  return (
    <>
      <PageHeader title="Settings" description="Workspace access, keys and data handling." />
      <SettingsTabs canManageKeys={ctx.can("apiKeys.manage")} />
      <div className="mt-6">{children}</div>
    </>
  );
}
