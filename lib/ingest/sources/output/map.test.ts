import { describe, expect, it } from "vitest";
import { ZOutputTraceFile } from "@/lib/contracts/output";
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
} from "@/tests/fixtures/output/traces";
import type { SpanRow } from "../../model";
import { mapOutputError, mapOutputTrace, type OutputNode, parseOutputFileName } from "./map";

const byName = (spans: SpanRow[], name: string) => spans.filter((s) => s.name === name);
const one = (spans: SpanRow[], name: string) => {
  const found = byName(spans, name);
  expect(found).toHaveLength(1);
  return found[0];
};
const meta = (s: SpanRow) => s.metadata as Record<string, unknown>;
const tokens = (spans: SpanRow[]) => spans.reduce((n, s) => n + (s.tokens_total ?? 0), 0);

describe("mapOutputTrace", () => {
  it("maps a successful run: workflow, internal step, steps, HTTP and LLM calls (fixture A)", () => {
    const root = readFixture(FIXTURE_A_FILE);
    const { spans, executions } = mapOutputTrace(root);
    expect(spans).toHaveLength(6);
    expect(executions).toEqual([
      expect.objectContaining({
        execution_id: "0b6f3c2e-7a41-4d9b-9e35-5c8a1f2d7e90",
        agent: "lead_enrichment",
        agent_from_root: true,
        external_id: "Xk3v9QpL2mN8rT4wY6zA1",
      }),
    ]);

    const wf = spans[0];
    expect(wf).toMatchObject({
      id: root.id,
      parent_id: null,
      type: "workflow_execution",
      name: "lead_enrichment",
      status: "success",
      started_at: "2026-08-18T14:03:27.553Z",
      ended_at: "2026-08-18T14:03:32.943Z",
      input: { companyDomain: "acme.com" },
    });
    expect(meta(wf)).toMatchObject({ kind: "workflow", workflowId: "Xk3v9QpL2mN8rT4wY6zA1" });

    const internal = one(spans, "__internal#getTraceDestinations");
    expect(internal).toMatchObject({ type: "custom_event", step_type: null, parent_id: wf.id });
    expect(meta(internal)).toMatchObject({ kind: "internal_step", internal: true, nodeId: "1" });

    const lookup = one(spans, "lead_enrichment#lookupCompany");
    expect(lookup).toMatchObject({ type: "workflow_step", step_type: "step", status: "success", input: "acme.com" });

    const http = one(spans, "request");
    expect(http).toMatchObject({
      type: "http_call",
      parent_id: lookup.id,
      http_method: "GET",
      http_url: "https://company-data.example.com/v1/companies?domain=acme.com",
      http_status: 200,
      error: null,
    });
    expect(meta(http).attributes).toHaveProperty("http:request:count");

    const llm = one(spans, "generateText");
    expect(llm).toMatchObject({
      type: "llm_call",
      parent_id: one(spans, "lead_enrichment#generateSummary").id,
      llm_model: "claude-sonnet-4-5",
      tokens_input: 412,
      tokens_output: 187,
      tokens_total: 599,
      output:
        "Acme Corp is a B2B SaaS company with roughly 250 employees that sells workflow automation to mid-market finance teams.",
    });
    expect(llm.llm).toEqual({
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      promptName: "generate_summary@v1",
      variables: { companyName: "Acme Corp", industry: "SaaS", size: 250 },
      config: { provider: "anthropic", model: "claude-sonnet-4-5", temperature: 0.3, maxTokens: 1024 },
      usage: { inputTokens: 412, outputTokens: 187, totalTokens: 599 },
      cost: 0.004041,
    });
    // The cost attribute and the rest of the response (usage details, provider data) are kept.
    expect(meta(llm).attributes).toMatchObject({ "llm:usage": { total: 0.004041, tokensUsed: 599 } });
    expect(meta(llm).response).toMatchObject({ usage: { cachedInputTokens: 0 }, providerMetadata: { anthropic: {} } });
    // The whole prompt input (rendered messages included) stays the span's input.
    expect((llm.input as { loadedPrompt: { messages: unknown[] } }).loadedPrompt.messages).toHaveLength(2);
  });

  it("keeps serialized errors whole and gives an HTTP error without message its status text (fixture B)", () => {
    const { spans } = mapOutputTrace(readFixture(FIXTURE_B_FILE));
    const wf = spans[0];
    expect(wf.status).toBe("error");
    expect(wf.error).toMatchObject({
      name: "ActivityFailure",
      message: "Activity task failed",
      stack: expect.stringContaining("ActivityFailure: Activity task failed"),
      activityType: "invoice_sync#fetchInvoices",
      retryState: "NON_RETRYABLE_FAILURE",
      cause: { name: "ApplicationFailure", type: "FatalError", message: "Billing API rejected credentials (401)" },
    });
    const step = one(spans, "invoice_sync#fetchInvoices");
    expect(step).toMatchObject({ status: "error", output: null });
    expect(step.error).toEqual({
      stack: expect.stringContaining("FatalError: Billing API rejected credentials (401)"),
      message: "Billing API rejected credentials (401)",
      name: "FatalError",
    });
    const http = one(spans, "request");
    expect(http).toMatchObject({ status: "error", http_status: 401, http_method: "GET" });
    expect(http.error).toEqual({
      status: 401,
      statusText: "Unauthorized",
      name: "HTTPError",
      message: "401 Unauthorized",
    });
  });

  it("maps odd errors to something with a message", () => {
    expect(mapOutputError(undefined)).toBeNull();
    expect(mapOutputError("plain text")).toEqual({ message: "plain text" });
    expect(mapOutputError({ statusText: "Bad Gateway" })).toEqual({
      statusText: "Bad Gateway",
      message: "Bad Gateway",
    });
    expect(mapOutputError({ name: "CancelledFailure" })).toEqual({
      name: "CancelledFailure",
      message: "CancelledFailure",
    });
    expect(mapOutputError({ code: 7 })).toEqual({ code: 7, message: '{"code":7}' });
  });

  it("a retried step appears once per attempt with both LLM calls, and each LLM call counts once", () => {
    const root = retriedStepTrace();
    // The builder's output really repeats the step (same id twice among the root's children).
    expect(root.children!.filter((c) => c.id === "2")).toHaveLength(2);
    const { spans } = mapOutputTrace(root);
    const steps = byName(spans, "retry_flow#draft");
    expect(steps).toHaveLength(2);
    expect(new Set(spans.map((s) => s.id)).size).toBe(spans.length);
    // A failed then successful attempt carries both: shown as failed, as the spec advises.
    expect(steps[0]).toMatchObject({ status: "error", output: "ok", error: { message: "boom" } });
    expect(meta(steps[0]).repeatOf).toBeUndefined();
    expect(meta(steps[1]).repeatOf).toBe(steps[0].id);

    const llms = byName(spans, "generateText");
    expect(llms).toHaveLength(4);
    const counted = llms.filter((s) => s.tokens_total !== null);
    expect(counted.map((s) => s.parent_id)).toEqual([steps[0].id, steps[0].id]);
    expect(tokens(spans)).toBe(110 + 220);
    for (const s of llms.filter((s) => s.tokens_total === null)) {
      expect(meta(s).repeatOf).toEqual(expect.any(String));
      expect((s.llm as { cost: unknown }).cost).toBeNull();
    }

    const judge = one(spans, "retry_flow#judge");
    expect(judge).toMatchObject({ type: "workflow_step", step_type: "evaluator", output: { value: 0.9 } });
    expect(spans[0].id).toBe(RETRY_RUN);
  });

  it("nests a child workflow under its parent and counts the node the id collision duplicated once", () => {
    const root = childWorkflowTrace();
    const { spans, executions } = mapOutputTrace(root);
    expect(new Set(spans.map((s) => s.execution_id))).toEqual(new Set([PARENT_RUN]));
    const child = one(spans, "child_flow");
    expect(child).toMatchObject({ type: "workflow_execution", parent_id: PARENT_RUN, status: "success" });
    expect(meta(child)).toMatchObject({ childWorkflow: true, nodeId: CHILD_RUN });

    // The child's step "1" overwrote the root's getTraceDestinations: it is under both workflows.
    const work = byName(spans, "child_flow#work");
    expect(work.map((s) => s.parent_id).sort()).toEqual([PARENT_RUN, child.id].sort());
    const inChild = work.find((s) => s.parent_id === child.id)!;
    const underRoot = work.find((s) => s.parent_id === PARENT_RUN)!;
    expect(meta(inChild).repeatOf).toBeUndefined();
    expect(meta(underRoot).repeatOf).toBe(inChild.id);
    expect(tokens(spans)).toBe(330);
    const counted = byName(spans, "generateText").find((s) => s.tokens_total !== null)!;
    expect(counted.parent_id).toBe(inChild.id);

    const http = byName(spans, "request").find((s) => s.parent_id === inChild.id)!;
    expect(http).toMatchObject({
      http_method: "POST",
      http_status: 503,
      error: { message: "503 Service Unavailable" },
    });
    // The lost getTraceDestinations took the workflowId with it: only the file name has it.
    expect(executions[0].external_id).toBeNull();
    expect(mapOutputTrace(root, { workflowId: "wf-parent" }).executions[0].external_id).toBe("wf-parent");
  });

  it("derives the same span ids on a re-import and on a later version of the file", () => {
    const root = childWorkflowTrace();
    const first = mapOutputTrace(root).spans.map((s) => s.id);
    expect(mapOutputTrace(structuredClone(root)).spans.map((s) => s.id)).toEqual(first);
    // The mid-run file (root not ended yet) shares every id with the final one.
    const midRun: OutputNode = { ...structuredClone(root), endedAt: null, output: "<<Workflow did not finish yet.>>" };
    expect(mapOutputTrace(midRun).spans.map((s) => s.id)).toEqual(first);
  });

  it("marks a continued-as-new run and keeps the workflowId of every run of the chain", () => {
    const runs = continuedAsNewRuns("wf-poll", ["r-1", "r-2"], Date.parse("2026-08-18T10:00:00Z"));
    const [a, b] = runs.map((r) => mapOutputTrace(r));
    expect(a.spans[0]).toMatchObject({ status: "success", output: "<<continued_as_new>>" });
    expect(meta(a.spans[0]).continuedAsNew).toBe(true);
    expect(meta(b.spans[0]).continuedAsNew).toBeUndefined();
    expect([a.executions[0].external_id, b.executions[0].external_id]).toEqual(["wf-poll", "wf-poll"]);
    expect(a.executions[0].execution_id).not.toBe(b.executions[0].execution_id);
    // Same node ids in both runs, different span ids: one execution each.
    expect(new Set([...a.spans, ...b.spans].map((s) => s.id)).size).toBe(a.spans.length + b.spans.length);
  });

  it("maps a root without endedAt as running, without the builder's placeholder as output", () => {
    const root = runningTrace();
    expect(root.endedAt).toBeNull();
    const { spans } = mapOutputTrace(root);
    expect(spans[0]).toMatchObject({ id: RUNNING_RUN, status: "running", ended_at: null, output: null });
    expect(meta(spans[0]).notFinished).toMatch(/^<<Workflow did not finish yet/);
    expect(one(spans, "long_flow#wait")).toMatchObject({ status: "running", ended_at: null });
    // An unknown kind is kept and shown generically.
    expect(one(spans, "my-event")).toMatchObject({ type: "custom_event", status: "running" });
    expect(meta(one(spans, "my-event")).kind).toBe("custom");
  });

  it("closes nothing that never closed in a finished run, and cancels on CancelledFailure", () => {
    const root: OutputNode = {
      id: "r-cancel",
      kind: "workflow",
      name: "w",
      startedAt: 1000,
      endedAt: 2000,
      error: { message: "Workflow cancelled", name: "CancelledFailure" },
      children: [{ id: "2", kind: "step", name: "w#s", startedAt: 1100, endedAt: null, children: [] }],
    };
    const { spans } = mapOutputTrace(root);
    expect(spans[0].status).toBe("cancelled");
    expect(spans[1]).toMatchObject({ status: "cancelled", ended_at: null });
  });

  it("maps an LLM call without pricing or total tokens, and an Agent call with only a prompt", () => {
    const root: OutputNode = {
      id: "r-llm",
      kind: "workflow",
      name: "w",
      startedAt: 1000,
      endedAt: 2000,
      children: [
        {
          id: "1",
          kind: "step",
          name: "w#s",
          startedAt: 1100,
          endedAt: 1900,
          children: [
            {
              id: "streamText-1200",
              kind: "llm",
              name: "streamText",
              startedAt: 1200,
              endedAt: 1300,
              input: { prompt: "p@v2", variables: {}, loadedPrompt: { name: "p@v2", config: { model: "m-1" } } },
              output: { result: "hi", usage: { inputTokens: 5, outputTokens: 7 } },
            },
            {
              id: "Agent.generate-1400",
              kind: "llm",
              name: "Agent.generate",
              startedAt: 1400,
              endedAt: 1500,
              input: { prompt: "agent@v1" },
              output: { result: "ok" },
            },
          ],
        },
      ],
    };
    const { spans } = mapOutputTrace(root);
    const stream = one(spans, "streamText");
    expect(stream).toMatchObject({ llm_model: "m-1", tokens_input: 5, tokens_output: 7, tokens_total: 12 });
    expect(stream.llm).toMatchObject({ cost: null, promptName: "p@v2", provider: null });
    expect(meta(stream).attributes).toBeUndefined();
    const agent = one(spans, "Agent.generate");
    expect(agent).toMatchObject({ type: "llm_call", llm_model: null, tokens_total: null, output: "ok" });
    expect(agent.llm).toMatchObject({ promptName: "agent@v1", usage: null, config: null });
  });

  it("marks async handoffs, maps sendHttpRequest as an HTTP call, clamps skewed clocks", () => {
    const root: OutputNode = {
      id: "r-misc",
      kind: "workflow",
      name: "w",
      startedAt: 1000,
      endedAt: 3000,
      output: null,
      children: [
        { id: "1", kind: "step", name: "w#hand", startedAt: 1100, endedAt: 1200, output: "<<async_handoff>>" },
        {
          id: "2",
          kind: "internal_step",
          name: "__internal#sendHttpRequest",
          startedAt: 1300,
          endedAt: 1250,
          input: { method: "post", url: "https://hooks.example.com/x", payload: {} },
          output: { url: "https://hooks.example.com/x", status: 202, statusText: "Accepted", ok: true },
        },
        { id: "3", kind: "webhook", name: "resume", startedAt: 0, endedAt: 2900, output: { ok: 1 } },
      ],
    };
    const { spans } = mapOutputTrace(root);
    expect(meta(one(spans, "w#hand")).asyncHandoff).toBe(true);
    const send = one(spans, "__internal#sendHttpRequest");
    expect(send).toMatchObject({ type: "http_call", http_method: "POST", http_status: 202 });
    expect(send.ended_at).toBe(send.started_at);
    expect(meta(send).internal).toBe(true);
    // Never started (startedAt 0): placed at its parent's start.
    expect(one(spans, "resume")).toMatchObject({ type: "custom_event", started_at: new Date(1000).toISOString() });
  });
});

describe("Output trace files", () => {
  it("reads the workflowId and start from a file name", () => {
    expect(
      parseOutputFileName("logs/runs/lead_enrichment/2026-08-18-14-03-27-512Z_Xk3v9QpL2mN8rT4wY6zA1.json"),
    ).toEqual({ workflowId: "Xk3v9QpL2mN8rT4wY6zA1", startedAt: "2026-08-18T14:03:27.512Z" });
    expect(parseOutputFileName("2026-08-18-14-03-27-512Z_my_id_with_underscores.json")?.workflowId).toBe(
      "my_id_with_underscores",
    );
    expect(parseOutputFileName("trace.json")).toBeNull();
  });

  it("validates a root node and names the bad field", () => {
    expect(ZOutputTraceFile.safeParse(readFixture(FIXTURE_A_FILE)).success).toBe(true);
    const notRoot = ZOutputTraceFile.safeParse({ id: "1", kind: "step", name: "x", startedAt: 1, children: [] });
    expect(notRoot.error?.issues.map((i) => i.path.join("."))).toEqual(["kind"]);
    const bad = ZOutputTraceFile.safeParse({
      id: "r",
      kind: "workflow",
      name: "w",
      startedAt: 1,
      children: [{ id: "2", kind: "step", name: "s", startedAt: "yesterday" }],
    });
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(["children.0.startedAt"]);
  });
});
