import { redirect } from "next/navigation";
import { settingsLanding } from "@/components/settings/settings-nav";
import { requirePortalContext } from "../../_lib/session";

/** Settings opens on the first page the member may use (a reviewer is never met by a refusal). */
export default async function SettingsIndex() {
  const ctx = await requirePortalContext();
  redirect(settingsLanding(ctx.can("apiKeys.manage")));
}
