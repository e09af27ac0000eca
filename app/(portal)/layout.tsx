import type { ReactNode } from "react";
import { Sidebar } from "@/components/shell/sidebar";
import { EmptyState } from "@/components/ui/card";
import { requirePortalContext } from "../_lib/session";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const ctx = await requirePortalContext();
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <Sidebar user={ctx.user} workspace={ctx.workspace} workspaces={ctx.workspaces} />
      <main className="min-w-0 flex-1 px-4 py-6 md:h-screen md:overflow-y-auto md:px-8">
        {ctx.workspace ? (
          children
        ) : (
          <EmptyState title="You are not in a workspace yet">
            Ask an admin for an invitation link, or create a workspace from the menu above.
          </EmptyState>
        )}
      </main>
    </div>
  );
}
