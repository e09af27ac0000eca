import {
  OUTPUT_FILE_NAME_HEADER,
  OUTPUT_TRACE_MAX_BYTES,
  ZOutputIngestQuery,
  ZOutputIngestResult,
} from "@/lib/contracts/output";
import { getDb } from "@/lib/db";
import { requestBodyChunks } from "@/lib/http/json-chunks";
import { otherMethods } from "@/lib/http/methods";
import { reply, route } from "@/lib/http/route";
import { parseOutputFileName } from "@/lib/ingest/sources/output/map";
import { importOutputTrace } from "@/lib/ingest/sources/output/receive";

export const dynamic = "force-dynamic";

/**
 * Imports one Output trace file (body: its root node). An API key, or a portal member who may
 * import (`ingest.operate`). The workflowId comes from `?workflowId=`, else from the file name in
 * the `X-Output-File-Name` header, else from the trace. 201 for a new execution, 200 for a re-import.
 */
export const POST = route({
  // Without a key or a session cookie this is an API client that forgot its key: 401, not a CSRF 403.
  auth: "keyOrMember",
  permission: "ingest.operate",
  query: ZOutputIngestQuery,
  response: ZOutputIngestResult,
  handler: async ({ req, principal, query }) => {
    const fileName = decodeHeader(req.headers.get(OUTPUT_FILE_NAME_HEADER));
    const workflowId = query.workflowId ?? (fileName ? parseOutputFileName(fileName)?.workflowId : undefined);
    // Read as it arrives and checked as ZOutputTraceFile (a file may be 20 MB) in a worker thread;
    // strings Postgres cannot store are ingested as every ingest body's are (lib/ingest/serialize.ts).
    const { created, ...result } = await importOutputTrace(
      await getDb(),
      principal.workspaceId,
      requestBodyChunks(req, OUTPUT_TRACE_MAX_BYTES),
      { workflowId },
    );
    return reply(result, { status: created ? 201 : 200 });
  },
});

/** The portal sends the file name URI-encoded (headers are ASCII); a raw name passes as it is. */
function decodeHeader(value: string | null): string | null {
  if (!value) return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export const { OPTIONS, GET, HEAD, PUT, PATCH, DELETE } = otherMethods({ POST });
