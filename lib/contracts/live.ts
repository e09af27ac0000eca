import { z } from "zod";
import { ZInstantOut } from "./common.ts";

/** What changed: new or updated executions (ids), or events of some names (ids are the names). */
export const LIVE_KINDS = ["executions", "events"] as const;

/**
 * A change notice for open pages, in one workspace: published on the live bus (lib/live) and sent
 * by `GET /api/v1/live` as a Server-Sent Event named by its kind, with the notice as its data.
 */
export const ZLiveNotice = z.strictObject({
  workspaceId: z.string(),
  kind: z.enum(LIVE_KINDS),
  ids: z.array(z.string()).optional(),
  at: ZInstantOut,
});
export type LiveNotice = z.infer<typeof ZLiveNotice>;

export const LIVE_CONTENT_TYPE = "text/event-stream";
