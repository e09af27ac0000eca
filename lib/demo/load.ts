import "server-only";
import type { DemoResult } from "../contracts/ingest.ts";
import type { Db } from "../db/index.ts";
import { ingestEvents, ingestTraces } from "../ingest/sources/sdk/receive.ts";
import { runDemo } from "./generate.ts";

/**
 * "Load sample data": the demo generator runs here with the SDK, whose requests go straight to
 * this workspace's ingest pipeline instead of over the network.
 */
export async function loadSampleData(db: Db, workspaceId: string): Promise<DemoResult> {
  const localFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? "{}"));
    const result = String(url).endsWith("/traces")
      ? await ingestTraces(db, workspaceId, body.traces)
      : await ingestEvents(db, workspaceId, body.events);
    return Response.json(result, { status: 207 });
  }) as typeof fetch;
  return runDemo({ apiUrl: "http://in-process", apiKey: "in-process", fetch: localFetch });
}
