"use client";

import { createContext, type ReactNode, useContext } from "react";

const ActiveWorkspace = createContext<string | null>(null);

/**
 * The workspace whose live notices the portal follows. The live stream answers for the workspace
 * active when it connects, so subscriptions reconnect when this changes (a workspace switch
 * re-renders the portal layout with the new one).
 */
export function LiveScope({ workspaceId, children }: { workspaceId: string | null; children: ReactNode }) {
  return <ActiveWorkspace value={workspaceId}>{children}</ActiveWorkspace>;
}

export function useActiveWorkspaceId(): string | null {
  return useContext(ActiveWorkspace);
}
