/** Where the sidebar's collapsed or expanded choice is kept, and the attribute on <html> that applies it. */
export const SIDEBAR_STORAGE_KEY = "runlens-sidebar";
export type SidebarState = "collapsed" | "expanded";

/** A saved choice, or null when there is none (or it is not one we wrote): the sidebar then shows expanded. */
export function parseSidebarState(raw: string | null | undefined): SidebarState | null {
  return raw === "collapsed" || raw === "expanded" ? raw : null;
}

/** The state a click on the collapse button leads to. */
export function toggledSidebar(current: SidebarState | null): SidebarState {
  return current === "collapsed" ? "expanded" : "collapsed";
}

/**
 * Runs in <head> before first paint (app/layout.tsx): puts the saved choice on <html
 * data-sidebar>, so a collapsed sidebar never flashes open on load.
 */
export const sidebarScript = `try {
  const s = localStorage.getItem(${JSON.stringify(SIDEBAR_STORAGE_KEY)});
  if (s === "collapsed" || s === "expanded") document.documentElement.dataset.sidebar = s;
} catch {}`;
