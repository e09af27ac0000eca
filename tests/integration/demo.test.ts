import { beforeAll, describe, expect, it } from "vitest";
import { POST as loadSamples } from "@/app/api/v1/demo/route";
import { GET as getOverview } from "@/app/api/v1/overview/route";
import { GET as listExecutions } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { POST as setupPost } from "@/app/api/v1/setup/route";
import type { DemoResult } from "@/lib/contracts/ingest";
import { getCatalog } from "@/lib/metrics/catalog";
import { cookiesFrom, request, withAppDb } from "../helpers/app";

const DAY = 86_400_000;
type ErrorJson = { name?: string; message: string; stack?: string | null };

describe("sample data", () => {
  const app = withAppDb();
  let owner: string;
  let loaded: DemoResult;
  let workspaceId: string;
  let requestedAt: number;
  let answeredAt: number;

  beforeAll(async () => {
    owner = cookiesFrom(
      await setupPost(
        request("/api/v1/setup", {
          body: { name: "Demo", email: "demo@example.com", password: "demo-password-1", workspaceName: "Demo" },
        }),
      ),
    );
    requestedAt = Date.now();
    const res = await loadSamples(request("/api/v1/demo", { method: "POST", cookie: owner }));
    answeredAt = Date.now();
    expect(res.status).toBe(201);
    loaded = await res.json();
    await app.drained(60_000);
    workspaceId = (await app.db().prisma.workspace.findFirstOrThrow()).id;
  }, 120_000);

  const spansOf = (type: string) =>
    app.db().prisma.span.findMany({ where: { workspaceId, type }, orderBy: { startedAt: "asc" } });
  const ms = (s: { startedAt: Date; endedAt: Date | null }) => s.endedAt!.getTime() - s.startedAt.getTime();

  it("'Load sample data' fills the workspace through the SDK and the ingest pipeline", async () => {
    expect(loaded.executions).toBeGreaterThan(40);
    expect(loaded.events).toBeGreaterThan(500);
    const prisma = app.db().prisma;
    expect(await prisma.execution.count({ where: { workspaceId } })).toBe(loaded.executions);
    const byType = await prisma.span.groupBy({ by: ["type"], where: { workspaceId }, _count: { _all: true } });
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
    const stepTypes = await prisma.span.findMany({
      where: { workspaceId, type: "workflow_step" },
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
    const catalog = await getCatalog(app.db(), workspaceId, null);
    expect(catalog.map((e) => e.name).sort()).toEqual(["alert_received", "order_placed", "ticket_resolved"]);
    expect(catalog.reduce((a, e) => a + e.count, 0)).toBe(loaded.events);

    const viewer = await loadSamples(request("/api/v1/demo", { method: "POST" }));
    expect(viewer.status).toBe(401);
  });

  it("runs are spread over the last 7 days, none in the future, so the overview's default range shows them", async () => {
    const runs = await app.db().prisma.execution.findMany({ where: { workspaceId } });
    const starts = runs.map((r) => r.startedAt.getTime());
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(requestedAt - 7 * DAY);
    expect(Math.max(...runs.map((r) => r.endedAt!.getTime()))).toBeLessThanOrEqual(answeredAt);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThan(5 * DAY);
    expect(starts.filter((s) => s >= answeredAt - DAY).length).toBeGreaterThan(0); // the last 24 hours too
  });

  it("model calls take hundreds of milliseconds to seconds, and runs last as long as their calls", async () => {
    const llm = await spansOf("llm_call");
    expect(llm.length).toBeGreaterThan(100);
    expect(Math.min(...llm.map(ms))).toBeGreaterThanOrEqual(100);
    expect(llm.filter((s) => ms(s) >= 1000).length).toBeGreaterThan(llm.length / 10);

    const http = await spansOf("http_call");
    expect(http.length).toBeGreaterThan(50);
    expect(Math.min(...http.map(ms))).toBeGreaterThanOrEqual(50);
    const tools = await spansOf("tool_call");
    expect(Math.min(...tools.map(ms))).toBeGreaterThanOrEqual(5);

    const runs = await app.db().prisma.execution.findMany({ where: { workspaceId } });
    const runOf = new Map(runs.map((r) => [r.id, r]));
    for (const call of llm) {
      const run = runOf.get(call.executionId)!;
      expect(call.startedAt.getTime()).toBeGreaterThanOrEqual(run.startedAt.getTime());
      expect(call.endedAt!.getTime()).toBeLessThanOrEqual(run.endedAt!.getTime());
    }
    const withModel = new Set(llm.map((s) => s.executionId));
    for (const run of runs) {
      expect(Number(run.durationMs)).toBeLessThanOrEqual(10 * 60_000);
      if (withModel.has(run.id)) expect(Number(run.durationMs), run.name).toBeGreaterThanOrEqual(500);
    }
    const sorted = runs.map((r) => Number(r.durationMs)).sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThanOrEqual(1000);
  });

  it("each conversation gets a different answer at every turn, in English and in Portuguese", async () => {
    const messages = await spansOf("conversation_message");
    const runs = await app
      .db()
      .prisma.execution.findMany({ where: { workspaceId }, select: { id: true, threadId: true } });
    const threadOf = new Map(runs.map((r) => [r.id, r.threadId]));
    const threads = new Map<string, { role: string; content: unknown }[]>();
    for (const m of messages) {
      const thread = threadOf.get(m.executionId);
      if (!thread) continue;
      threads.set(thread, [...(threads.get(thread) ?? []), m.message as { role: string; content: unknown }]);
    }
    expect(threads.size).toBeGreaterThan(10);
    let multiTurn = 0;
    for (const [thread, turns] of threads) {
      const answers = turns
        .filter((t) => t.role === "assistant" && typeof t.content === "string")
        .map((t) => t.content);
      expect(new Set(answers).size, thread).toBe(answers.length);
      if (answers.length > 1) multiTurn++;
    }
    expect(multiTurn).toBeGreaterThan(5);
    expect(Math.max(...[...threads.values()].map((t) => t.length))).toBeGreaterThanOrEqual(20);

    const asked = (re: RegExp) =>
      [...threads.values()].filter((t) => t.some((m) => m.role === "user" && re.test(String(m.content)))).length;
    expect(asked(/(?<!\p{L})(como|qual|você|vocês|não|quero|minha|obrigad[oa])(?!\p{L})/iu)).toBeGreaterThan(2);
    expect(asked(/\b(my|the|can|you|where)\b/i)).toBeGreaterThan(2);
  });

  it("error stacks are the application's own, never the server's paths", async () => {
    const prisma = app.db().prisma;
    const errors = [
      ...(await prisma.span.findMany({ where: { workspaceId }, select: { error: true } })),
      ...(await prisma.execution.findMany({ where: { workspaceId }, select: { error: true } })),
    ]
      .map((row) => row.error as ErrorJson | null)
      .filter((e) => e !== null);
    expect(errors.length).toBeGreaterThan(10);
    const serverPaths = [process.cwd(), "/.next/", "node_modules", "/work/"];
    for (const error of errors.filter((e) => e.stack)) {
      for (const path of serverPaths) expect(error.stack).not.toContain(path);
      expect(error.stack!.split("\n")[0]).toBe(`${error.name}: ${error.message}`);
      expect(error.stack).toMatch(/\n {4}at (async )?[\w.]+ \(\/app\/src\/[\w/.-]+\.ts:\d+:\d+\)/);
    }
    expect(errors.filter((e) => e.stack).length).toBeGreaterThan(10);

    const to = new Date(answeredAt + 1000).toISOString();
    const from = new Date(requestedAt - 7 * DAY).toISOString();
    const overview = await (
      await getOverview(request(`/api/v1/overview?from=${from}&to=${to}`, { cookie: owner }))
    ).json();
    expect(overview.topErrors.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...overview.topErrors.map((e: { count: number }) => e.count))).toBeGreaterThanOrEqual(3);
  });

  it("has executions of hundreds of spans", async () => {
    const runs = await app.db().prisma.execution.findMany({ where: { workspaceId }, orderBy: { spanCount: "desc" } });
    expect(runs[0].spanCount).toBeGreaterThanOrEqual(200);
    expect(await app.db().prisma.span.count({ where: { workspaceId, executionId: runs[0].id } })).toBe(
      runs[0].spanCount,
    );
    expect(runs.filter((r) => r.spanCount >= 200).length).toBeGreaterThanOrEqual(2);
  });

  it("spans carry what their type is about: messages for models, arguments for tools, method, URL and status for HTTP", async () => {
    for (const span of await spansOf("llm_call")) {
      const input = span.input as { role: string; content: unknown }[];
      expect(Array.isArray(input), span.name).toBe(true);
      expect(input[0].role).toBe("system");
      expect(input.every((m) => ["system", "user", "assistant", "tool"].includes(m.role))).toBe(true);
      expect(input.some((m) => m.role === "user")).toBe(true);
      if (span.status !== "success") continue;
      // About four characters a token, for the prompt and for the answer.
      const promptChars = input.reduce((n, m) => n + (typeof m.content === "string" ? m.content.length : 0), 0);
      expect(Number(span.tokensInput)).toBeGreaterThanOrEqual(promptChars / 6);
      expect(Number(span.tokensInput)).toBeLessThanOrEqual(promptChars / 2 + 200);
      const answer = typeof span.output === "string" ? span.output : JSON.stringify(span.output);
      expect(Number(span.tokensOutput)).toBeGreaterThanOrEqual(answer.length / 6);
      expect(Number(span.tokensOutput)).toBeLessThanOrEqual(answer.length / 2 + 10);
    }
    for (const span of await spansOf("tool_call")) {
      expect(span.input, span.name).toBeTypeOf("object");
      expect(span.output ?? span.error, span.name).not.toBeNull();
    }
    for (const span of await spansOf("http_call")) {
      expect(span.httpMethod).toMatch(/^(GET|POST|PUT|PATCH|DELETE)$/);
      expect(span.httpUrl).toMatch(/^https:\/\/[a-z0-9.-]+\//);
      expect(span.httpStatus).toBeGreaterThanOrEqual(200);
      expect(span.status).toBe(span.httpStatus! >= 400 ? "error" : "success");
    }
  });

  it("model calls use priced models, so their cost shows", async () => {
    const prisma = app.db().prisma;
    const llm = await spansOf("llm_call");
    const models = new Set(llm.map((s) => s.llmModel));
    expect([...models].sort()).toEqual(["claude-haiku-4-5", "claude-sonnet-4-5", "gpt-4o", "gpt-4o-mini"]);
    for (const span of llm.filter((s) => s.status === "success")) expect(span.cost, span.name).toBeGreaterThan(0);
    const total = await prisma.execution.aggregate({ where: { workspaceId }, _sum: { cost: true } });
    expect(total._sum.cost).toBeGreaterThan(0);
  });
});
