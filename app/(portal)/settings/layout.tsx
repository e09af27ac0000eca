import type { ReactNode } from "react";
import { SettingsTabs } from "@/components/settings/settings-tabs";
import { PageHeader } from "@/components/ui/card";

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <PageHeader title="Settings" description="Workspace access, keys and data handling." />
      <SettingsTabs />
      <div className="mt-6">{children}</div>
    </>
  );
}
