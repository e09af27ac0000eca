/** The tabs of Settings, in order; `adminOnly` tabs are shown to those who may manage API keys (Data is read-only for the others). */
export const SETTINGS_TABS = [
  { href: "/settings/api-keys", label: "API keys", adminOnly: true },
  { href: "/settings/members", label: "Members" },
  { href: "/settings/ingestion", label: "Ingestion" },
  { href: "/settings/sources", label: "Sources" },
  { href: "/settings/models", label: "Models" },
  { href: "/settings/redaction", label: "Redaction" },
  { href: "/settings/data", label: "Data" },
  { href: "/settings/account", label: "Account" },
] as const;

export type SettingsTab = (typeof SETTINGS_TABS)[number];

/** The tabs a member sees: every page they may open (API keys only for owners and admins). */
export function settingsTabsFor(canManageKeys: boolean): SettingsTab[] {
  return SETTINGS_TABS.filter((t) => canManageKeys || !("adminOnly" in t));
}

/** Where /settings lands: the first tab the member may use, never a page that refuses them. */
export function settingsLanding(canManageKeys: boolean): string {
  return settingsTabsFor(canManageKeys)[0].href;
}
