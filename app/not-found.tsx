import type { Metadata } from "next";
import { connection } from "next/server";
import { PortalShell } from "@/components/shell/portal-shell";
import { NotFoundPanel } from "@/components/shell/status-page";
import { portalState, requirePortalContext } from "./_lib/session";

export const metadata: Metadata = { title: "Not found" };

/**
 * Any address no route matches. A signed-in member sees it inside the portal (sidebar, workspace,
 * theme) with the ways back; anyone else a link to sign in.
 */
export default async function NotFound() {
  await connection(); // rendered per request (who is signed in), never prerendered at build time
  if ((await portalState()) !== "portal")
    return (
      <main className="px-4 py-6">
        <NotFoundPanel signedIn={false} />
      </main>
    );
  const ctx = await requirePortalContext();
  return (
    <PortalShell user={ctx.user} workspace={ctx.workspace} workspaces={ctx.workspaces}>
      <NotFoundPanel />
    </PortalShell>
  );
}
