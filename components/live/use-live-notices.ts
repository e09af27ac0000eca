"use client";

import { useEffect, useRef } from "react";
import { LIVE_KINDS, type LiveNotice } from "@/lib/contracts/live";

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
    for (const kind of LIVE_KINDS) source.addEventListener(kind, listener);
    return () => source.close();
  }, [enabled]);
}
