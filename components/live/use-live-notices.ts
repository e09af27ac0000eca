"use client";

import { useEffect, useRef } from "react";
import { api } from "@/lib/client/api";
import { LIVE_KINDS, type LiveNotice } from "@/lib/contracts/live";
import { useActiveWorkspaceId } from "./live-scope";

/**
 * Calls `onNotice` for each live notice of the active workspace (SSE), while `enabled`. A workspace
 * switch closes the stream of the previous workspace and opens one for the new.
 */
export function useLiveNotices(onNotice: (n: LiveNotice) => void, enabled = true): void {
  const handler = useRef(onNotice);
  handler.current = onNotice;
  const workspaceId = useActiveWorkspaceId();
  useEffect(() => {
    if (!enabled || !workspaceId) return;
    const source = new EventSource(api.url("GET /api/v1/live"));
    const listener = (e: MessageEvent) => {
      try {
        handler.current(JSON.parse(e.data) as LiveNotice);
      } catch {
        // ignore malformed
      }
    };
    for (const kind of LIVE_KINDS) source.addEventListener(kind, listener);
    return () => source.close();
  }, [enabled, workspaceId]);
}
