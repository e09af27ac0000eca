import { describe, expect, it } from "vitest";
import { settingsLanding, settingsTabsFor } from "./settings-nav";

describe("settings navigation by role", () => {
  it("lands owners and admins on API keys", () => {
    expect(settingsLanding(true)).toBe("/settings/api-keys");
    expect(settingsTabsFor(true).map((t) => t.label)).toContain("API keys");
  });
  it("lands everyone else on a page they may see, without the API keys tab", () => {
    expect(settingsLanding(false)).toBe("/settings/members");
    expect(settingsTabsFor(false).map((t) => t.label)).not.toContain("API keys");
    expect(settingsTabsFor(false).map((t) => t.label)).toContain("Account");
  });
});
