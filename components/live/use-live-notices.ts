"use client";

import { useEffect, useRef } from "react";

export type LiveNotice = { workspaceId: string; kind: string; ids?: string[]; at: string };

/** Calls `onNotice` for each live notice of the active workspace (SSE), while `enabled`. */
export function useLiveNotices(onNotice: (n: LiveNotice) => void, enabled = true): void {
  const handler = useRef(onNotice);
  handler.current = onNotice;
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource("/api/v1/live");
    const listener = (e: MessageEvent) => {
      try {
        handler.current(JSON.parse(e.data) as LiveNotice);
      } catch {
        // ignore malformed
      }
    };
    for (const kind of ["executions", "events", "reviews"]) source.addEventListener(kind, listener);
    return () => source.close();
  }, [enabled]);
}
