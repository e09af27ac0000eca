import type { ReactNode } from "react";
import type { WorkspaceSummary } from "@/lib/contracts/workspaces";
import { StorageBanner } from "../data/storage-banner";
import { LiveScope } from "../live/live-scope";
import { EmptyState } from "../ui/card";
import { Sidebar } from "./sidebar";

type Props = {
  user: { name: string; email: string };
  workspace: WorkspaceSummary | null;
  workspaces: WorkspaceSummary[];
  children: ReactNode;
};

/** The signed-in frame of every portal page: the sidebar, and the page beside it. */
export function PortalShell({ user, workspace, workspaces, children }: Props) {
  return (
    <LiveScope workspaceId={workspace?.id ?? null}>
      <div className="flex min-h-screen flex-col md:flex-row">
        <Sidebar user={user} workspace={workspace} workspaces={workspaces} />
        <main className="min-w-0 flex-1 px-4 py-6 md:h-screen md:overflow-y-auto md:px-8">
          {workspace ? (
            <>
              <StorageBanner workspaceId={workspace.id} />
              {children}
            </>
          ) : (
            <EmptyState title="You are not in a workspace yet">
              Ask an admin for an invitation link, or create a workspace from the menu above.
            </EmptyState>
          )}
        </main>
      </div>
    </LiveScope>
  );
}
