import { describe, expect, it } from "vitest";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { POST as retryRoute } from "@/app/api/v1/settings/ingestion/failed/[id]/retry/route";
import { ingestionStatus, retryFailedBatch } from "@/lib/ingest/failures";
import { INGEST_QUEUE, startIngestWorker } from "@/lib/ingest/pipeline";
import { getQueue } from "@/lib/queue";
import { ctx, request, withAppDb } from "../helpers/app";
import { redisUrl } from "../helpers/db";
import { createKeyedWorkspace } from "../helpers/workspace";

describe.skipIf(!redisUrl)("failed ingest batches (Redis)", () => {
  const app = withAppDb({ worker: false });

  it("a batch that keeps failing lands in the failed list with its error, and a retry stores it", async () => {
    // Fast retries for this test: the process-wide ingest queue is created here first.
    await getQueue(INGEST_QUEUE, { attempts: 2, backoffMs: 20 });
    const { workspaceId, apiKey } = await createKeyedWorkspace(app.db());
    const res = await postTraces(
      request("/api/v1/runtime/v1/observability/traces", {
        body: {
          traces: [{ id: "s1", executionId: "e1", type: "log", name: "hello", startedAt: new Date().toISOString() }],
        },
        bearer: apiKey,
      }),
    );
    expect((await res.json()).accepted).toBe(1);

    // The workspace disappears before the worker runs: every write attempt fails on its foreign key.
    const ws = await app.db().prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId } });
    await app.db().prisma.workspace.delete({ where: { id: workspaceId } });
    const worker = await startIngestWorker(1);
    try {
      let status = await ingestionStatus(workspaceId);
      const deadline = Date.now() + 20_000;
      while (status.failed.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        status = await ingestionStatus(workspaceId);
      }
      expect(status.queue).toBe("redis");
      expect(status.failed).toHaveLength(1);
      expect(status.failed[0]).toMatchObject({ kind: "spans", items: 1, attempts: 2 });
      expect(status.failed[0].error).toMatch(/foreign key|violates/i);
      // Another workspace cannot see or retry it.
      expect((await ingestionStatus("someone-else")).failed).toEqual([]);
      await expect(retryFailedBatch("someone-else", status.failed[0].id)).rejects.toMatchObject({ status: 404 });

      // Fixed: the workspace is back; the retry writes the batch.
      await app.db().prisma.workspace.create({ data: { id: ws.id, name: ws.name, slug: ws.slug } });
      await retryFailedBatch(workspaceId, status.failed[0].id);
      await app.drained();
      expect((await ingestionStatus(workspaceId)).failed).toEqual([]);
      expect(await app.db().prisma.span.count({ where: { workspaceId } })).toBe(1);
    } finally {
      await worker.close();
    }
  });

  it("retrying needs a session with the ingest.operate permission", async () => {
    const res = await retryRoute(
      request("/api/v1/settings/ingestion/failed/x/retry", { method: "POST" }),
      ctx({ id: "x" }),
    );
    expect(res.status).toBe(401);
  });
});
