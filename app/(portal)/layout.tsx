import type { ReactNode } from "react";
import { PortalShell } from "@/components/shell/portal-shell";
import { requirePortalContext } from "../_lib/session";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const ctx = await requirePortalContext();
  return (
    <PortalShell user={ctx.user} workspace={ctx.workspace} workspaces={ctx.workspaces}>
      {children}
    </PortalShell>
  );
}
