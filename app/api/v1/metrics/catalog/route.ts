import { ZCatalog, ZCatalogQuery } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { getCatalog } from "@/lib/metrics/catalog";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "reader",
  query: ZCatalogQuery,
  response: ZCatalog,
  handler: async ({ principal, query }) => ({
    events: await getCatalog(await getDb(), principal.workspaceId, query.agent ?? null),
  }),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
