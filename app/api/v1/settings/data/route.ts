import { can } from "@/lib/auth/roles";
import { ZDataSettings, ZDataSettingsQuery, ZDataSettingsRequest } from "@/lib/contracts/data";
import { getDataSettings, putDataSettings } from "@/lib/data/settings";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Settings › Data: retention, the storage budget and the workspace's estimated usage (every member). */
export const GET = route({
  auth: "reader",
  query: ZDataSettingsQuery,
  response: ZDataSettings,
  handler: async ({ principal, query }) =>
    getDataSettings(
      await getDb(),
      principal.workspaceId,
      principal.kind === "apiKey" || can(principal.role, "workspace.manage"),
      query.usage === "fresh",
    ),
});

/** Sets retention days and the workspace's budget (the fields given; null: forever, no budget); owners and admins. */
export const PUT = route({
  auth: "reader",
  permission: "workspace.manage",
  body: ZDataSettingsRequest,
  response: ZDataSettings,
  handler: async ({ principal, body }) => putDataSettings(await getDb(), principal.workspaceId, body),
});

export const { OPTIONS, POST, PATCH, DELETE } = otherMethods({ GET, PUT });
