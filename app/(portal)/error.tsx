"use client";

import Link from "next/link";
import { LINK_SECONDARY, StatusPage } from "@/components/shell/status-page";
import { Button } from "@/components/ui/button";

/** An error while rendering a portal page: said plainly inside the shell, with a retry and a way back. */
export default function PortalError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && "digest" in error ? String(error.digest) : null;
  return (
    <StatusPage
      code="Error"
      title="This page could not be shown"
      actions={
        <>
          <Button onClick={() => retry()}>Try again</Button>
          <Link href="/overview" className={LINK_SECONDARY}>
            Back to the overview
          </Link>
        </>
      }
    >
      Something went wrong while loading it. Trying again often helps; if it keeps failing, the server log has the
      details{digest ? ` (reference ${digest})` : ""}.
    </StatusPage>
  );
}
