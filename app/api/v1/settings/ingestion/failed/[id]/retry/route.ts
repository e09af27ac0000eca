import { NOT_FOUND } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { retryFailedBatch } from "@/lib/ingest/failures";

export const dynamic = "force-dynamic";

export const POST = route({
  auth: "member",
  permission: "ingest.operate",
  notFound: NOT_FOUND.batch,
  response: "empty",
  handler: ({ principal, params }) => retryFailedBatch(principal.workspaceId, params.id),
});

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
