import { ZDemoResult } from "@/lib/contracts/ingest";
import { getDb } from "@/lib/db";
import { loadSampleData } from "@/lib/demo/load";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** "Load sample data" of the empty executions page: realistic data through the SDK, in process. */
export const POST = route({
  auth: "member",
  permission: "ingest.operate",
  status: 201,
  response: ZDemoResult,
  handler: async ({ principal }) => loadSampleData(await getDb(), principal.workspaceId),
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
