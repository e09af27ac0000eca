import { SettingsPanelSkeleton } from "@/components/ui/skeleton";

/** A settings page on its way (under the Settings title and tabs, which stay). */
export default function SettingsLoading() {
  return <SettingsPanelSkeleton label="Loading settings" />;
}
