import { describe, expect, it } from "vitest";
import { parseSidebarState, sidebarScript, toggledSidebar } from "./sidebar-state";

describe("the sidebar's remembered state", () => {
  it("reads only the states it writes", () => {
    expect(parseSidebarState("collapsed")).toBe("collapsed");
    expect(parseSidebarState("expanded")).toBe("expanded");
    expect(parseSidebarState(null)).toBeNull();
    expect(parseSidebarState("true")).toBeNull();
  });

  it("a click collapses an expanded or never-touched sidebar, and expands a collapsed one", () => {
    expect(toggledSidebar(null)).toBe("collapsed");
    expect(toggledSidebar("expanded")).toBe("collapsed");
    expect(toggledSidebar("collapsed")).toBe("expanded");
  });

  it("the head script applies a saved choice to <html> and ignores anything else", () => {
    const run = (saved: string | null) => {
      const root = { dataset: {} as Record<string, string> };
      new Function("localStorage", "document", sidebarScript)({ getItem: () => saved }, { documentElement: root });
      return root.dataset.sidebar;
    };
    expect(run("collapsed")).toBe("collapsed");
    expect(run("expanded")).toBe("expanded");
    expect(run("<script>")).toBeUndefined();
    expect(run(null)).toBeUndefined();
  });
});
