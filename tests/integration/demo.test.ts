import { describe, expect, it } from "vitest";
import { POST as loadSamples } from "@/app/api/v1/demo/route";
import { GET as listExecutions } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { POST as setupPost } from "@/app/api/v1/setup/route";
import { getCatalog } from "@/lib/metrics/catalog";
import { cookiesFrom, request, withAppDb } from "../helpers/app";

describe("sample data", () => {
  const app = withAppDb();

  it("'Load sample data' fills the workspace through the SDK and the ingest pipeline", async () => {
    const owner = cookiesFrom(
      await setupPost(
        request("/api/v1/setup", {
          body: { name: "Demo", email: "demo@example.com", password: "demo-password-1", workspaceName: "Demo" },
        }),
      ),
    );
    const res = await loadSamples(request("/api/v1/demo", { method: "POST", cookie: owner }));
    expect(res.status).toBe(201);
    const { executions, events } = await res.json();
    expect(executions).toBeGreaterThan(40);
    expect(events).toBeGreaterThan(1000);
    await app.drained(60_000);

    const ws = await app.db().prisma.workspace.findFirstOrThrow();
    expect(await app.db().prisma.execution.count({ where: { workspaceId: ws.id } })).toBe(executions);
    const byType = await app
      .db()
      .prisma.span.groupBy({ by: ["type"], where: { workspaceId: ws.id }, _count: { _all: true } });
    const types = byType.map((t) => t.type).sort();
    for (const t of [
      "agent_execution",
      "conversation_message",
      "error",
      "http_call",
      "llm_call",
      "tool_call",
      "workflow_execution",
      "workflow_step",
    ]) {
      expect(types).toContain(t);
    }
    const stepTypes = await app.db().prisma.span.findMany({
      where: { workspaceId: ws.id, type: "workflow_step" },
      distinct: ["stepType"],
      select: { stepType: true },
    });
    expect(stepTypes.map((s) => s.stepType).sort()).toEqual([
      "agent",
      "condition",
      "connector",
      "foreach",
      "function",
      "parallel",
      "switch",
    ]);

    const list = await (
      await listExecutions(
        request("/api/v1/runtime/v1/observability/executions?status=error&limit=200", { cookie: owner }),
      )
    ).json();
    expect(list.executions.length).toBeGreaterThan(0);
    const starts = (
      await app.db().prisma.execution.findMany({ where: { workspaceId: ws.id }, select: { startedAt: true } })
    ).map((e) => e.startedAt.getTime());
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThan(7 * 86_400_000); // spread over days
    const catalog = await getCatalog(app.db(), ws.id, null);
    expect(catalog.map((e) => e.name).sort()).toEqual(["alert_received", "order_placed", "ticket_resolved"]);
    expect(catalog.reduce((a, e) => a + e.count, 0)).toBe(events);

    const viewer = await loadSamples(request("/api/v1/demo", { method: "POST" }));
    expect(viewer.status).toBe(401);
  }, 120_000);
});
