import { describe, expect, it } from "vitest";
import { sourceActivity } from "@/lib/ingest/sources/activity";
import { ingestTraces } from "@/lib/ingest/sources/sdk/receive";
import { withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

describe("Settings › Sources: last received time per source", () => {
  const app = withAppDb();

  it("moves with each write of that source, and only in its workspace", async () => {
    const a = await createKeyedWorkspace(app.db(), "A");
    const b = await createKeyedWorkspace(app.db(), "B");
    const empty = await sourceActivity(app.db(), a.workspaceId);
    expect(Object.values(empty).every((v) => v.lastReceivedAt === null)).toBe(true);

    const before = Date.now();
    const res = await ingestTraces(app.db(), a.workspaceId, [
      { id: "s1", executionId: "e1", type: "agent_execution", name: "run", startedAt: new Date().toISOString() },
    ]);
    expect(res.accepted).toBe(1);
    await app.drained();

    const activity = await sourceActivity(app.db(), a.workspaceId);
    expect(Date.parse(activity.sdk.lastReceivedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(activity.otlp.lastReceivedAt).toBeNull();
    expect(activity.cloudflare.lastReceivedAt).toBeNull();
    expect((await sourceActivity(app.db(), b.workspaceId)).sdk.lastReceivedAt).toBeNull();
  });
});
