import "server-only";
import type { DemoResult } from "../contracts/ingest.ts";
import { ingestEvents, ingestTraces } from "../ingest/pipeline.ts";
import { runDemo } from "./generate.ts";

/**
 * "Load sample data": the demo generator runs here with the SDK, whose requests go straight to
 * this workspace's ingest pipeline instead of over the network.
 */
export async function loadSampleData(workspaceId: string): Promise<DemoResult> {
  const localFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? "{}"));
    const result = String(url).endsWith("/traces")
      ? await ingestTraces(workspaceId, body.traces)
      : await ingestEvents(workspaceId, body.events);
    return Response.json(result, { status: 207 });
  }) as typeof fetch;
  return runDemo({ apiUrl: "http://in-process", apiKey: "in-process", fetch: localFetch });
}
