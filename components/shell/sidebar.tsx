"use client";

import {
  Activity,
  BarChart3,
  ClipboardCheck,
  LayoutDashboard,
  LogOut,
  Menu,
  MessagesSquare,
  Moon,
  PanelLeftClose,
  PanelLeftOpen,
  Settings,
  Sun,
  X,
} from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, useSyncExternalStore } from "react";
import type { WorkspaceSummary } from "@/lib/contracts/workspaces";
import { cn } from "../ui/cn";
import { Logo } from "./logo";
import { parseSidebarState, SIDEBAR_STORAGE_KEY, toggledSidebar } from "./sidebar-state";
import { WorkspaceSwitcher } from "./workspace-switcher";

const NAV = [
  { href: "/overview", label: "Overview", icon: LayoutDashboard },
  { href: "/executions", label: "Executions", icon: Activity },
  { href: "/threads", label: "Threads", icon: MessagesSquare },
  { href: "/metrics", label: "Metrics", icon: BarChart3 },
  { href: "/reviews", label: "Reviews", icon: ClipboardCheck },
  { href: "/settings", label: "Settings", icon: Settings },
] as const;

type Props = {
  user: { name: string; email: string };
  workspace: WorkspaceSummary | null;
  workspaces: WorkspaceSummary[];
};

/** The sidebar's state lives on <html data-sidebar> (set before paint from the saved choice). */
function subscribeToSidebar(onChange: () => void) {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-sidebar"] });
  return () => observer.disconnect();
}
const readSidebar = () => parseSidebarState(document.documentElement.dataset.sidebar);

const ICON_BUTTON =
  "inline-flex size-8 shrink-0 items-center justify-center rounded-md text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800";

/**
 * The portal's navigation. From the tablet width up a sidebar that collapses to an icon rail (the
 * choice is remembered); on phones an off-canvas drawer behind a menu button in a top bar.
 */
export function Sidebar({ user, workspace, workspaces }: Props) {
  const pathname = usePathname();
  const state = useSyncExternalStore(subscribeToSidebar, readSidebar, () => null);
  const collapsed = state === "collapsed";
  const [drawer, setDrawer] = useState(false);

  // The drawer closes when a link in it is followed, and on Escape.
  // biome-ignore lint/correctness/useExhaustiveDependencies: closes on every navigation
  useEffect(() => setDrawer(false), [pathname]);
  useEffect(() => {
    if (!drawer) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setDrawer(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [drawer]);

  function toggleCollapsed() {
    const next = toggledSidebar(state);
    document.documentElement.dataset.sidebar = next;
    localStorage.setItem(SIDEBAR_STORAGE_KEY, next);
  }

  return (
    <>
      <div className="sticky top-0 z-30 flex items-center gap-2 border-b border-zinc-200 bg-white px-3 py-2 md:hidden dark:border-zinc-800 dark:bg-zinc-900">
        <button
          type="button"
          className={ICON_BUTTON}
          aria-label="Open menu"
          aria-expanded={drawer}
          aria-controls="portal-sidebar"
          onClick={() => setDrawer(true)}
        >
          <Menu className="size-5" />
        </button>
        <Link href="/overview" aria-label="Runlens home">
          <Logo />
        </Link>
      </div>
      {drawer && (
        <div
          aria-hidden="true"
          className="fixed inset-0 z-40 bg-black/40 md:hidden"
          data-testid="drawer-backdrop"
          onClick={() => setDrawer(false)}
        />
      )}
      <aside
        id="portal-sidebar"
        aria-label="Sidebar"
        data-testid="sidebar"
        className={cn(
          "fixed inset-y-0 left-0 z-50 flex w-64 max-w-[85vw] flex-col border-r border-zinc-200 bg-white transition-transform dark:border-zinc-800 dark:bg-zinc-900",
          "md:sticky md:top-0 md:z-auto md:h-screen md:w-56 md:max-w-none md:translate-x-0 md:transition-none lg:w-60 md:rail:w-14",
          drawer ? "translate-x-0" : "max-md:invisible max-md:-translate-x-full",
        )}
      >
        <div className="flex items-center justify-between gap-2 px-4 pt-3 md:rail:flex-col md:rail:px-2">
          <Link href="/overview" aria-label="Runlens home" className="md:rail:hidden">
            <Logo />
          </Link>
          <Link href="/overview" aria-label="Runlens home" className="hidden md:rail:inline-flex">
            <Logo compact />
          </Link>
          <button
            type="button"
            className={cn(ICON_BUTTON, "max-md:hidden")}
            aria-label={collapsed ? "Expand sidebar" : "Collapse sidebar"}
            aria-expanded={!collapsed}
            aria-controls="portal-sidebar"
            title={collapsed ? "Expand sidebar" : "Collapse sidebar"}
            onClick={toggleCollapsed}
          >
            {collapsed ? <PanelLeftOpen className="size-4" /> : <PanelLeftClose className="size-4" />}
          </button>
          <button
            type="button"
            className={cn(ICON_BUTTON, "md:hidden")}
            aria-label="Close menu"
            onClick={() => setDrawer(false)}
          >
            <X className="size-5" />
          </button>
        </div>
        <div className="px-4 pt-3 pb-2 md:rail:hidden">
          <WorkspaceSwitcher current={workspace} workspaces={workspaces} />
        </div>
        <nav aria-label="Main" className="flex flex-1 flex-col gap-1 overflow-y-auto px-2 md:rail:pt-2">
          {NAV.map(({ href, label, icon: Icon }) => {
            const active = pathname === href || pathname.startsWith(`${href}/`);
            return (
              <Link
                key={href}
                href={href}
                aria-current={active ? "page" : undefined}
                title={collapsed ? label : undefined}
                className={cn(
                  "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap md:rail:justify-center md:rail:px-0",
                  active
                    ? "bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300"
                    : "text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800",
                )}
              >
                <Icon className="size-4 shrink-0" aria-hidden="true" />
                <span className="md:rail:sr-only">{label}</span>
              </Link>
            );
          })}
        </nav>
        <UserFooter user={user} />
      </aside>
    </>
  );
}

function UserFooter({ user }: { user: Props["user"] }) {
  const router = useRouter();
  const [dark, setDark] = useState<boolean | null>(null);
  useEffect(() => setDark(document.documentElement.classList.contains("dark")), []);

  function toggleTheme() {
    const next = !document.documentElement.classList.contains("dark");
    document.documentElement.classList.toggle("dark", next);
    localStorage.setItem("runlens-theme", next ? "dark" : "light");
    setDark(next);
  }

  async function signOut() {
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    router.replace("/login");
    router.refresh();
  }

  const button =
    "inline-flex items-center gap-1.5 rounded px-2 py-1 text-xs text-zinc-600 hover:bg-zinc-100 md:rail:justify-center md:rail:px-0 md:rail:py-1.5 dark:text-zinc-400 dark:hover:bg-zinc-800";
  return (
    <div className="border-t border-zinc-200 px-3 py-3 md:rail:px-2 dark:border-zinc-800">
      <div className="min-w-0 md:rail:hidden">
        <div className="truncate text-sm font-medium" title={user.email}>
          {user.name}
        </div>
        <div className="truncate text-xs text-zinc-500">{user.email}</div>
      </div>
      <div className="mt-2 flex gap-1 md:rail:flex-col">
        <button
          type="button"
          onClick={toggleTheme}
          className={button}
          aria-label="Toggle dark mode"
          title={dark ? "Light mode" : "Dark mode"}
        >
          {dark ? <Sun className="size-3.5" /> : <Moon className="size-3.5" />}
          <span className="md:rail:sr-only">{dark ? "Light" : "Dark"}</span>
        </button>
        <button type="button" onClick={signOut} className={button} title="Sign out">
          <LogOut className="size-3.5" />
          <span className="md:rail:sr-only">Sign out</span>
        </button>
      </div>
    </div>
  );
}
