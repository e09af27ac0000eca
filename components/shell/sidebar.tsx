"use client";

import {
  Activity,
  BarChart3,
  ClipboardCheck,
  LayoutDashboard,
  LogOut,
  MessagesSquare,
  Moon,
  Settings,
  Sun,
} from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { WorkspaceSummary } from "@/lib/contracts/workspaces";
import { cn } from "../ui/cn";
import { Logo } from "./logo";
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

export function Sidebar({ user, workspace, workspaces }: Props) {
  const pathname = usePathname();
  return (
    <aside className="flex shrink-0 flex-col border-zinc-200 bg-white md:h-screen md:w-56 md:border-r lg:w-60 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex items-center justify-between gap-2 px-4 py-3 md:block">
        <Link href="/overview" aria-label="Runlens home">
          <Logo />
        </Link>
        <div className="md:mt-4">
          <WorkspaceSwitcher current={workspace} workspaces={workspaces} />
        </div>
      </div>
      <nav
        aria-label="Main"
        className="flex gap-1 overflow-x-auto px-2 pb-2 md:flex-1 md:flex-col md:overflow-visible md:pb-0"
      >
        {NAV.map(({ href, label, icon: Icon }) => {
          const active = pathname === href || pathname.startsWith(`${href}/`);
          return (
            <Link
              key={href}
              href={href}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap",
                active
                  ? "bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300"
                  : "text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800",
              )}
            >
              <Icon className="size-4" aria-hidden="true" />
              {label}
            </Link>
          );
        })}
      </nav>
      <UserFooter user={user} />
    </aside>
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

  return (
    <div className="flex items-center justify-between gap-2 border-t border-zinc-200 px-3 py-2 md:block md:py-3 dark:border-zinc-800">
      <div className="min-w-0">
        <div className="truncate text-sm font-medium" title={user.email}>
          {user.name}
        </div>
        <div className="hidden truncate text-xs text-zinc-500 md:block">{user.email}</div>
      </div>
      <div className="flex shrink-0 gap-1 md:mt-2">
        <button
          type="button"
          onClick={toggleTheme}
          className="inline-flex items-center gap-1.5 rounded px-2 py-1 text-xs text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
          aria-label="Toggle dark mode"
        >
          {dark ? <Sun className="size-3.5" /> : <Moon className="size-3.5" />}
          {dark ? "Light" : "Dark"}
        </button>
        <button
          type="button"
          onClick={signOut}
          className="inline-flex items-center gap-1.5 rounded px-2 py-1 text-xs text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
        >
          <LogOut className="size-3.5" />
          Sign out
        </button>
      </div>
    </div>
  );
}
