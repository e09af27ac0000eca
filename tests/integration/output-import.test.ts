import { beforeAll, describe, expect, it } from "vitest";
import { POST as importOutput } from "@/app/api/v1/ingest/output/route";
import { POST as acceptInvite } from "@/app/api/v1/invitations/accept/route";
import { POST as invite } from "@/app/api/v1/invitations/route";
import { GET as getChain } from "@/app/api/v1/observability/executions/[id]/chain/route";
import { GET as getDetails } from "@/app/api/v1/runtime/v1/observability/executions/[id]/details/route";
import { GET as listExecutions } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { POST as setupPost } from "@/app/api/v1/setup/route";
import type { Execution, ExecutionDetails, ExecutionList, Span } from "@/lib/contracts/executions";
import type { OutputChain, OutputNode } from "@/lib/contracts/output";
import { getExecutionOutline } from "@/lib/traces/details";
import {
  CHILD_RUN,
  childWorkflowTrace,
  continuedAsNewRuns,
  FIXTURE_A_FILE,
  FIXTURE_B_FILE,
  PARENT_RUN,
  RETRY_RUN,
  RUNNING_RUN,
  readFixture,
  retriedStepTrace,
  runningTrace,
} from "../fixtures/output/traces";
import { cookiesFrom, ctx, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

const IMPORT = "/api/v1/ingest/output";
const A_RUN = "0b6f3c2e-7a41-4d9b-9e35-5c8a1f2d7e90";

describe("Output trace file import", () => {
  const app = withAppDb();
  let keyA = "";
  let wsA = "";
  let keyB = "";
  let wsB = "";

  const post = async (
    root: unknown,
    init: {
      bearer?: string;
      cookie?: string;
      fileName?: string;
      query?: string;
      headers?: Record<string, string>;
    } = {},
  ) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.fileName) headers["x-output-file-name"] = init.fileName;
    const res = await importOutput(
      request(`${IMPORT}${init.query ?? ""}`, {
        body: root,
        bearer: init.cookie ? undefined : (init.bearer ?? keyA),
        cookie: init.cookie,
        headers,
      }),
    );
    await app.drained();
    return res;
  };
  const details = async (id: string, bearer = keyA) => {
    const res = await getDetails(
      request(`/api/v1/runtime/v1/observability/executions/${id}/details?limit=1000`, { bearer }),
      ctx({ id }),
    );
    return { status: res.status, body: (await res.json()) as ExecutionDetails };
  };
  const list = async (query: string, bearer = keyA) =>
    (await (
      await listExecutions(request(`/api/v1/runtime/v1/observability/executions?${query}`, { bearer }))
    ).json()) as ExecutionList;
  const counts = async (workspaceId = wsA) => ({
    spans: await app.db().prisma.span.count({ where: { workspaceId } }),
    executions: await app.db().prisma.execution.count({ where: { workspaceId } }),
  });
  const chainOf = async (id: string, bearer = keyA) => {
    const res = await getChain(request(`/api/v1/observability/executions/${id}/chain`, { bearer }), ctx({ id }));
    return { status: res.status, body: (await res.json()) as OutputChain };
  };

  beforeAll(async () => {
    ({ apiKey: keyA, workspaceId: wsA } = await createKeyedWorkspace(app.db(), "A"));
    ({ apiKey: keyB, workspaceId: wsB } = await createKeyedWorkspace(app.db(), "B"));
  });

  it("imports a trace file as one execution: tree, tokens, source and workflowId from the file name", async () => {
    const res = await post(readFixture(FIXTURE_A_FILE), { fileName: FIXTURE_A_FILE });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ executionId: A_RUN, spans: 6, workflowId: "Xk3v9QpL2mN8rT4wY6zA1" });

    const { body } = await details(A_RUN);
    expect(body.execution).toMatchObject({
      id: A_RUN,
      name: "lead_enrichment",
      agent: "lead_enrichment",
      type: "workflow_execution",
      status: "success",
      source: "output",
      spanCount: 6,
      tokens: { input: 412, output: 187, total: 599 },
      durationMs: 5390,
    } satisfies Partial<Execution>);
    expect(body.traces.map((s) => [s.depth, s.type, s.name])).toEqual([
      [0, "workflow_execution", "lead_enrichment"],
      [1, "custom_event", "__internal#getTraceDestinations"],
      [1, "workflow_step", "lead_enrichment#lookupCompany"],
      [2, "http_call", "request"],
      [1, "workflow_step", "lead_enrichment#generateSummary"],
      [2, "llm_call", "generateText"],
    ]);
    const llm = body.traces.find((s) => s.type === "llm_call")!;
    expect(llm.llm).toMatchObject({
      model: "claude-sonnet-4-5",
      promptName: "generate_summary@v1",
      cost: 0.004041,
      usage: { inputTokens: 412, outputTokens: 187, totalTokens: 599 },
    });
    expect(body.traces.find((s) => s.type === "http_call")!.http).toEqual({
      method: "GET",
      url: "https://company-data.example.com/v1/companies?domain=acme.com",
      statusCode: 200,
    });
    // The executions list search matches the workflowId (external id).
    expect((await list("q=Xk3v9QpL2mN8rT4wY6zA1")).executions.map((e) => e.id)).toEqual([A_RUN]);
    expect((await list("source=output")).executions.map((e) => e.id)).toEqual([A_RUN]);
  });

  it("re-importing the same file changes nothing and answers 200", async () => {
    const before = await counts();
    const first = await details(A_RUN);
    const res = await post(readFixture(FIXTURE_A_FILE), { fileName: FIXTURE_A_FILE });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ executionId: A_RUN, spans: 6 });
    expect(await counts()).toEqual(before);
    const again = await details(A_RUN);
    expect(again.body.execution).toEqual(first.body.execution);
    expect(again.body.traces).toEqual(first.body.traces);
  });

  it("stores a failed run with its serialized errors; an HTTP error without message shows its status", async () => {
    const res = await post(readFixture(FIXTURE_B_FILE), { query: "?workflowId=from-query", fileName: FIXTURE_B_FILE });
    expect(res.status).toBe(201);
    const { executionId, workflowId } = await res.json();
    expect(workflowId).toBe("from-query");
    const { body } = await details(executionId);
    expect(body.execution.status).toBe("error");
    expect(body.execution.error).toMatchObject({ name: "ActivityFailure", cause: { type: "FatalError" } });
    const http = body.traces.find((s) => s.type === "http_call")!;
    expect(http).toMatchObject({ status: "error", error: { name: "HTTPError", message: "401 Unauthorized" } });
    expect(http.http?.statusCode).toBe(401);
  });

  it("stores retries and child workflows in one tree and counts each LLM call's tokens once", async () => {
    expect((await post(retriedStepTrace())).status).toBe(201);
    const retry = await details(RETRY_RUN);
    expect(retry.body.execution.tokens).toEqual({ input: 300, output: 30, total: 330 });
    const steps = retry.body.traces.filter((s) => s.name === "retry_flow#draft");
    expect(steps.map((s) => s.depth)).toEqual([1, 1]);
    expect(retry.body.traces.filter((s) => s.type === "llm_call")).toHaveLength(4);
    expect(retry.body.traces.find((s) => s.stepType === "evaluator")?.name).toBe("retry_flow#judge");

    expect((await post(childWorkflowTrace(), { query: "?workflowId=wf-parent" })).status).toBe(201);
    const { body } = await details(PARENT_RUN);
    expect(body.execution).toMatchObject({ name: "parent_flow", spanCount: 9, tokens: { total: 330 } });
    const child = body.traces.find((s) => s.name === "child_flow")!;
    expect(child).toMatchObject({ type: "workflow_execution", depth: 1, parentId: PARENT_RUN });
    expect(child.metadata).toMatchObject({ nodeId: CHILD_RUN, childWorkflow: true });
    const underChild = (s: Span) => s.parentId === child.id;
    expect(body.traces.filter(underChild).map((s) => s.name)).toEqual(["child_flow#work"]);
    // Same tree through the portal's outline read.
    const outline = await getExecutionOutline(app.db(), wsA, PARENT_RUN, { offset: 0, limit: 100 });
    expect(outline.spans.map((s) => [s.depth, s.name])).toEqual(body.traces.map((s) => [s.depth, s.name]));
    expect((await counts()).executions).toBe(4);
  });

  it("links the runs of a continue-as-new chain in start order", async () => {
    const runs = continuedAsNewRuns("wf-poll", ["run-c", "run-a", "run-b"], Date.parse("2026-08-18T10:00:00Z"));
    // Imported out of order, with the file names Output gives them.
    for (const i of [2, 0, 1]) {
      const name = `2026-08-18-10-00-${String(i * 10).padStart(2, "0")}-000Z_wf-poll.json`;
      expect((await post(runs[i], { fileName: `logs/runs/poller/${name}` })).status).toBe(201);
    }
    const { status, body } = await chainOf("run-a");
    expect(status).toBe(200);
    expect(body.chain).toMatchObject({ workflowId: "wf-poll", position: 2, total: 3 });
    expect(body.chain!.runs.map((r) => r.id)).toEqual(["run-c", "run-a", "run-b"]);
    expect((await chainOf("run-c")).body.chain?.position).toBe(1);
    // A run alone has no chain.
    expect((await chainOf(A_RUN)).body.chain).toBeNull();
    const first = await details("run-c");
    expect(first.body.execution.output).toBe("<<continued_as_new>>");
  });

  it("a running run becomes finished when its final file is imported, with the same span ids", async () => {
    const running = runningTrace();
    expect((await post(running)).status).toBe(201);
    const open = await details(RUNNING_RUN);
    expect(open.body.execution).toMatchObject({ status: "running", endedAt: null, durationMs: null });
    const done: OutputNode = structuredClone(running);
    done.endedAt = 9100;
    done.output = { finished: true };
    for (const c of done.children ?? []) {
      c.endedAt = 9090;
      for (const g of c.children ?? []) g.endedAt = 9080;
    }
    expect((await post(done)).status).toBe(200);
    const closed = await details(RUNNING_RUN);
    expect(closed.body.execution).toMatchObject({ status: "success", output: { finished: true } });
    expect(closed.body.traces.map((s) => s.id)).toEqual(open.body.traces.map((s) => s.id));
  });

  it("refuses bad input with 400 naming the field, and writes nothing", async () => {
    const before = await counts();
    const notWorkflow = await post({ id: "x", kind: "step", name: "s", startedAt: 1 });
    expect(notWorkflow.status).toBe(400);
    expect((await notWorkflow.json()).error.details.map((d: { path: string }) => d.path)).toEqual(["kind"]);

    // One bad node deep in the tree rejects the whole file.
    const broken = childWorkflowTrace() as OutputNode & { id: string };
    broken.id = "broken-run";
    broken.children![2].children![0].startedAt = "soon" as unknown as number;
    const bad = await post(broken);
    expect(bad.status).toBe(400);
    const err = (await bad.json()).error;
    expect(err.code).toBe("validation_error");
    expect(err.details[0].path).toBe("children[2].children[0].startedAt");

    const notJson = await importOutput(
      new Request(`http://runlens.test${IMPORT}`, {
        method: "POST",
        headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
        body: "{not json",
      }),
    );
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.code).toBe("invalid_json");
    const noKey = await importOutput(new Request(`http://runlens.test${IMPORT}`, { method: "POST", body: "{}" }));
    expect(noKey.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("keeps workspaces apart: the same file in another workspace is another execution", async () => {
    const before = await counts(wsA);
    expect((await post(readFixture(FIXTURE_A_FILE), { bearer: keyB, fileName: FIXTURE_A_FILE })).status).toBe(201);
    expect(await counts(wsA)).toEqual(before);
    expect(await counts(wsB)).toEqual({ spans: 6, executions: 1 });
    expect((await list("source=output", keyB)).executions.map((e) => e.id)).toEqual([A_RUN]);
    // Workspace B cannot read A's executions or chains.
    expect((await details(PARENT_RUN, keyB)).status).toBe(404);
    expect((await chainOf("run-a", keyB)).status).toBe(404);
    expect((await list("q=wf-poll", keyB)).executions).toEqual([]);
  });

  it("accepts a portal member who may import, and refuses a viewer", async () => {
    const setup = await setupPost(
      request("/api/v1/setup", {
        body: { name: "Owner", email: "owner@example.com", password: "owner-password-1", workspaceName: "Portal" },
      }),
    );
    expect(setup.status).toBe(201);
    const owner = cookiesFrom(setup);
    const join = async (role: string, email: string) => {
      const inv = await invite(request("/api/v1/invitations", { body: { email, role }, cookie: owner }));
      const token = (await inv.json()).url.split("/invite/")[1];
      return cookiesFrom(
        await acceptInvite(
          request("/api/v1/invitations/accept", { body: { token, name: role, password: "a-long-password-1" } }),
        ),
      );
    };
    const operator = await join("operator", "op@example.com");
    const viewer = await join("viewer", "viewer@example.com");

    const res = await post(retriedStepTrace(), { cookie: operator });
    expect(res.status).toBe(201);
    const portalWs = (await app.db().prisma.workspace.findFirstOrThrow({ where: { name: "Portal" } })).id;
    expect(await counts(portalWs)).toMatchObject({ executions: 1 });

    expect((await post(runningTrace(), { cookie: viewer })).status).toBe(403);
    const crossSite = await post(runningTrace(), { cookie: operator, headers: { origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    expect(await counts(portalWs)).toMatchObject({ executions: 1 });
  });
});
