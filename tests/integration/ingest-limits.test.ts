import { beforeAll, describe, expect, it } from "vitest";
import { POST as cloudflarePost } from "@/app/api/v1/ingest/cloudflare/route";
import { POST as outputPost } from "@/app/api/v1/ingest/output/route";
import { CLOUDFLARE_MAX_EXCEPTIONS, CLOUDFLARE_MAX_LOGS } from "@/lib/contracts/cloudflare";
import { OUTPUT_MAX_CHILDREN } from "@/lib/contracts/output";
import { request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

const T = Date.parse("2026-01-15T10:00:00Z");

describe("arrays inside ingest items are bounded", () => {
  const app = withAppDb();
  let key = "";
  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db()));
  });

  const cloudflareItem = (logs: number, exceptions: number) => ({
    scriptName: "worker",
    outcome: "exception",
    eventTimestamp: T,
    event: null,
    logs: Array.from({ length: logs }, (_, i) => ({ timestamp: T + i, level: "log", message: [i] })),
    exceptions: Array.from({ length: exceptions }, (_, i) => ({ timestamp: T, name: "Error", message: `e${i}` })),
  });

  it("refuses a Cloudflare item with too many exceptions or logs, alone", async () => {
    const res = await cloudflarePost(
      request("/api/v1/ingest/cloudflare", {
        body: [
          cloudflareItem(0, CLOUDFLARE_MAX_EXCEPTIONS + 1),
          cloudflareItem(CLOUDFLARE_MAX_LOGS + 1, 0),
          cloudflareItem(CLOUDFLARE_MAX_LOGS, 2),
        ],
        bearer: key,
      }),
    );
    expect(res.status).toBe(207);
    const { results } = await res.json();
    expect(results.map((r: { status: number }) => r.status)).toEqual([400, 400, 201]);
    expect(JSON.stringify(results[0].error)).toContain("exceptions");
    expect(JSON.stringify(results[1].error)).toContain("logs");
  });

  it("stores a request of many large items whole, written in parts", async () => {
    const items = [0, 1, 2].map((i) => ({ ...cloudflareItem(600, 1), scriptName: `worker-${i}` }));
    const res = await cloudflarePost(request("/api/v1/ingest/cloudflare", { body: items, bearer: key }));
    const { results } = await res.json();
    expect(results.map((r: { status: number }) => r.status)).toEqual([201, 201, 201]);
    await app.drained();
    const stored = await app.db().prisma.execution.findMany({
      where: { id: { in: results.map((r: { id: string }) => r.id) } },
      select: { spanCount: true },
    });
    expect(stored.map((e) => e.spanCount)).toEqual([602, 602, 602]);
  });

  it("refuses an Output node with too many children, naming it", async () => {
    const child = (i: number) => ({ id: `s${i}`, kind: "step", name: "step", startedAt: T, endedAt: T + 1 });
    const trace = (children: number) => ({
      id: `run-${children}`,
      kind: "workflow",
      name: "wf",
      startedAt: T,
      endedAt: T + 10,
      children: Array.from({ length: children }, (_, i) => child(i)),
    });
    const tooMany = await outputPost(
      request("/api/v1/ingest/output", { body: trace(OUTPUT_MAX_CHILDREN + 1), bearer: key }),
    );
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(await tooMany.json())).toContain("children");
    const fine = await outputPost(request("/api/v1/ingest/output", { body: trace(10), bearer: key }));
    expect(fine.status).toBeLessThan(300);
  });
});
