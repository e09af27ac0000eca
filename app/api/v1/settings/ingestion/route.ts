import { ZIngestionStatus } from "@/lib/contracts/ingestion";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { ingestionStatus } from "@/lib/ingest/failures";

export const dynamic = "force-dynamic";

export const GET = route({
  auth: "member",
  response: ZIngestionStatus,
  handler: ({ principal }) => ingestionStatus(principal.workspaceId),
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
