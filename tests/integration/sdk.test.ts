import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  Executions,
  flow,
  ReviewAlreadyExistsError,
  ReviewNotFoundError,
  Reviews,
  ReviewsError,
  Runlens,
  type RunlensDeliveryError,
  type Span,
  traceLLM,
} from "@/sdk/src/index";
import { createTestDb, redisUrl, type TestDb, testServerUrl } from "../helpers/db";
import { type RunningServer, startPortal } from "../helpers/server";

/**
 * The SDK against a real server process: on Postgres and Redis when they are configured (a fresh
 * database for this file), on the embedded database otherwise. Everything is checked through the
 * read API, as a user of the SDK would.
 */
describe("@runlens/sdk against a running portal", () => {
  let server: RunningServer;
  let db: TestDb | null = null;
  let executions: Executions;
  const clients: Runlens[] = [];
  const client = (opts: ConstructorParameters<typeof Runlens>[0] = {}) => {
    const c = new Runlens({ apiUrl: server.url, apiKey: server.apiKey, agent: "sdk-test", warnings: false, ...opts });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    if (testServerUrl()) db = await createTestDb();
    server = await startPortal({
      databaseUrl: db?.url ?? null,
      env: redisUrl ? { REDIS_URL: redisUrl, RUNLENS_QUEUE_PREFIX: `runlens-sdk-${Date.now()}` } : {},
    });
    executions = new Executions({ apiUrl: server.url, apiKey: server.apiKey });
  }, 240_000);

  it("the server reports the mode it runs in", async () => {
    const health = await (await fetch(`${server.url}/api/health`)).json();
    expect(health).toMatchObject({
      status: "ok",
      db: db ? "postgres" : "embedded",
      redis: redisUrl ? "connected" : "disabled",
    });
  });

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  /** Polls the read API until the execution has `count` spans (ingest may go through a queue). */
  async function spansOf(executionId: string, count: number): Promise<Span[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const all: Span[] = [];
      try {
        for await (const s of executions.iterateTraces(executionId)) all.push(s);
      } catch {
        // 404 until the first batch is written
      }
      if (all.length >= count || Date.now() > deadline) return all;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const byName = (spans: Span[], name: string) => spans.find((s) => s.name === name)!;

  it("nests spans, logs and messages under the active execution and span", async () => {
    const c = client();
    let executionId = "";
    await (async () => {
      const exec = c.startExecution({ name: "whatsapp-turn", input: { text: "48337725826" }, threadId: "wa-5511" });
      executionId = exec.id;
      c.message({ role: "user", content: "48337725826" });
      const verify = c.startSpan("verify_cpf");
      c.log("cpf_verified", { output: { user_exists: true } });
      c.message({ role: "assistant", content: "Bem-vindo de volta, Ana!" });
      verify.end({});
      exec.log("after_verify", { step: 2 });
      c.message({ role: "assistant", content: "Como posso ajudar?", parentId: verify.traceId });
      await exec.end({ output: { ok: true } });
    })();
    const spans = await spansOf(executionId, 7);
    expect(spans).toHaveLength(7);
    const root = byName(spans, "whatsapp-turn");
    expect(root).toMatchObject({ parentId: null, depth: 0, type: "custom_execution", status: "success" });
    const verify = byName(spans, "verify_cpf");
    expect(verify.parentId).toBe(root.id);
    expect(byName(spans, "cpf_verified").parentId).toBe(verify.id);
    expect(byName(spans, "after_verify")).toMatchObject({ parentId: root.id, type: "log" });
    const messages = spans.filter((s) => s.type === "conversation_message");
    expect(messages.map((m) => [m.message?.role, m.parentId])).toEqual([
      ["user", root.id],
      ["assistant", verify.id],
      ["assistant", verify.id],
    ]);
    const { execution } = await executions.getDetails(executionId);
    expect(execution).toMatchObject({
      threadId: "wa-5511",
      hasConversation: true,
      agent: "sdk-test",
      status: "success",
    });

    // `npx runlens debug` prints the same execution as a tree.
    const env = { ...process.env, RUNLENS_API_URL: server.url, RUNLENS_API_KEY: server.apiKey, NO_COLOR: "1" };
    const { stdout } = await promisify(execFile)("npx", ["runlens", "debug", executionId], { env });
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(`^whatsapp-turn  success  \\d+ms  0 tokens  agent=sdk-test  id=${executionId}$`),
    );
    expect(lines[1]).toBe("thread wa-5511");
    expect(lines.slice(2).map((l) => l.replace(/ {2}success.*$/, ""))).toEqual([
      "└─ custom_execution whatsapp-turn",
      "│  ├─ conversation_message user",
      "│  ├─ custom_event verify_cpf",
      "│  │  ├─ log cpf_verified",
      "│  │  ├─ conversation_message assistant",
      "│  │  └─ conversation_message assistant",
      "│  └─ log after_verify",
    ]);
    const json = await promisify(execFile)("npx", ["runlens", "debug", executionId, "--json"], { env });
    expect(JSON.parse(json.stdout).traces).toHaveLength(7);
  });

  it("runlens debug reports errors with their messages, and a missing execution clearly", async () => {
    const c = client();
    const exec = c.startExecution({ name: "failing" });
    c.logError("db_failed", Object.assign(new Error("connection refused"), { name: "PgError" }));
    exec.setError(new Error("could not answer"));
    await exec.end();
    await spansOf(exec.id, 2);
    const env = { ...process.env, RUNLENS_API_URL: server.url, RUNLENS_API_KEY: server.apiKey, NO_COLOR: "1" };
    const { stdout } = await promisify(execFile)("npx", ["runlens", "debug", exec.id], { env });
    expect(stdout).toContain("failing  error");
    expect(stdout).toContain("PgError: connection refused");
    expect(stdout).toContain("Error: could not answer");
    const missing = await promisify(execFile)("npx", ["runlens", "debug", "nope"], { env }).catch((e) => e);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No such execution");
  });

  it("onTrace can modify a trace and cancel another", async () => {
    const c = client({
      onTrace: (t) => {
        if (t.type === "llm_call") return null;
        if (t.name === "secret-step") return { ...t, input: { scrubbed: true } };
      },
    });
    const exec = c.startExecution({ name: "intercepted" });
    c.logEvent("secret-step", { input: { cpf: "123" } });
    await traceLLM({ model: "gpt-4o", client: c }, async () => ({
      text: "hi",
      usage: { prompt_tokens: 3, completion_tokens: 1 },
    }));
    await exec.end();
    const spans = await spansOf(exec.id, 2);
    expect(spans.map((s) => s.name).sort()).toEqual(["intercepted", "secret-step"]);
    expect(byName(spans, "secret-step").input).toEqual({ scrubbed: true });
  });

  it("minimal mode sends nothing", async () => {
    const c = client({ mode: "minimal" });
    const exec = c.startExecution({ name: "silent" });
    c.log("hidden");
    await exec.end();
    await c.flush();
    expect(c.stats().traceRequests).toBe(0);
    await expect(executions.getDetails(exec.id)).rejects.toMatchObject({ status: 404 });
  });

  it("standard mode truncates long inputs and outputs, keeping LLM data when verboseLLM", async () => {
    const c = client({ mode: "standard", maxInputLength: 50, maxOutputLength: 20, verboseLLM: true });
    const exec = c.startExecution({ name: "standard", input: { doc: "a".repeat(500) } });
    await traceLLM({ model: "gpt-4o", client: c, input: "p".repeat(300) }, async () => ({ text: "r".repeat(300) }));
    await exec.end({ output: "o".repeat(100) });
    const spans = await spansOf(exec.id, 2);
    const root = byName(spans, "standard");
    expect(root.input).toMatchObject({ _truncated: true, originalLength: 510 });
    expect(root.output).toBe(`${"o".repeat(20)}…[truncated 100 chars]`);
    const llm = byName(spans, "gpt-4o");
    expect(llm.input).toBe("p".repeat(300));
  });

  it("records LLM calls with model, prompt, variables and tokens", async () => {
    const c = client();
    const exec = c.startExecution({ name: "llm" });
    await traceLLM(
      { model: "claude-sonnet", provider: "anthropic", promptName: "triage", variables: { lang: "pt" }, client: c },
      async () => ({ content: [{ text: "ok" }], usage: { input_tokens: 100, output_tokens: 40 } }),
    );
    await exec.end();
    const spans = await spansOf(exec.id, 2);
    expect(byName(spans, "claude-sonnet")).toMatchObject({
      type: "llm_call",
      output: "ok",
      llm: {
        model: "claude-sonnet",
        provider: "anthropic",
        promptName: "triage",
        variables: { lang: "pt" },
        usage: { inputTokens: 100, outputTokens: 40, totalTokens: 140 },
      },
    });
    expect((await executions.getDetails(exec.id)).execution.tokens).toEqual({ input: 100, output: 40, total: 140 });
  });

  it("traces a flow as workflow_execution > workflow_step [stepType]", async () => {
    const c = client();
    const wf = flow({
      id: "validate-order",
      name: "Order Validation",
      inputSchema: z.object({ orderId: z.string() }),
      outputSchema: z.any(),
      client: c,
    })
      .step("fetch", async (i: { orderId: string }) => ({ ...i, status: "active", items: [1, 2] }))
      .condition("is-active", (o: { status: string }) => o.status === "active", {
        onTrue: (o) => ({ ...o, valid: true }),
      })
      .foreach(
        "items",
        (o: { items: number[] }) => o.items,
        (n) => Number(n) * 2,
      )
      .parallel("enrich", { a: () => 1, b: () => 2 })
      .agent("respond", { name: "responder", process: async () => "done" })
      .build();
    const id = `wf-${Date.now()}`;
    const out = await wf.execute({ orderId: "ORD-123" }, { executionId: id });
    expect(out).toBe("done");
    const spans = await spansOf(id, 10);
    const root = byName(spans, "Order Validation");
    expect(root).toMatchObject({ type: "workflow_execution", depth: 0 });
    const steps = spans.filter((s) => s.type === "workflow_step");
    expect(steps.map((s) => [s.name, s.stepType, s.parentId === root.id])).toEqual([
      ["fetch", "function", true],
      ["is-active", "condition", true],
      ["items", "foreach", true],
      ["enrich", "parallel", true],
      ["respond", "agent", true],
    ]);
    expect(byName(spans, "responder")).toMatchObject({
      type: "agent_execution",
      parentId: byName(spans, "respond").id,
    });
  });

  it("51 track calls make 2 requests, and flushTrackEvents sends the rest", async () => {
    const c = client({ agent: "metrics-agent" });
    for (let i = 0; i < 51; i++) c.track("order_placed", { amount: i, category: i % 2 ? "books" : "toys" });
    expect(c.stats().eventRequests).toBe(1); // the full batch went out at once; the last one waits
    await c.flushTrackEvents();
    expect(c.stats().eventRequests).toBe(2);
    const deadline = Date.now() + 20_000;
    let count = 0;
    while (Date.now() < deadline) {
      const res = await fetch(`${server.url}/api/v1/metrics/catalog?agent=metrics-agent`, {
        headers: { authorization: `Bearer ${server.apiKey}` },
      });
      const events = (await res.json()).events as {
        name: string;
        count: number;
        properties: { key: string; type: string }[];
      }[];
      count = events.find((e) => e.name === "order_placed")?.count ?? 0;
      if (count === 51) {
        expect(events[0].properties).toEqual([
          { key: "amount", type: "number" },
          { key: "category", type: "string" },
        ]);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(count).toBe(51);
  });

  it("retries after a 503 and stores each span once", async () => {
    let failures = 1;
    let forwarded = 0;
    const proxy = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const ch of req) chunks.push(ch as Buffer);
      if (failures > 0) {
        failures--;
        res.writeHead(503).end("down for maintenance");
        return;
      }
      forwarded++;
      const upstream = await fetch(`${server.url}${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks),
      });
      res
        .writeHead(upstream.status, { "content-type": "application/json" })
        .end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    try {
      const c = client({ apiUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
      const exec = c.startExecution({ name: "retried" });
      for (let i = 0; i < 5; i++) c.log(`step-${i}`);
      await exec.end();
      expect(failures).toBe(0);
      expect(forwarded).toBeGreaterThanOrEqual(1);
      const spans = await spansOf(exec.id, 6);
      expect(spans).toHaveLength(6);
      expect(new Set(spans.map((s) => s.id)).size).toBe(6);
      expect((await executions.getDetails(exec.id)).execution.spanCount).toBe(6);
    } finally {
      proxy.close();
    }
  });

  it("a trace the server rejects is reported: a warning with its id and reason, a counter and onError", async () => {
    const errors: RunlensDeliveryError[] = [];
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const c = client({ warnings: true, onError: (e) => errors.push(e) });
      const exec = c.startExecution({ name: "partly-rejected" });
      const rejectedId = c.log("n".repeat(300));
      c.log("kept");
      await exec.end();

      expect(c.stats().tracesRejected).toBe(1);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ kind: "rejected", ids: [rejectedId], status: 400, code: "validation_error" });
      expect(errors[0].message).toContain("name");
      const warnings = warn.mock.calls.map((args) => String(args[0]));
      expect(warnings).toEqual([errors[0].message].map((m) => `[runlens] ${m}`));
      expect(warnings[0]).toContain(rejectedId);
      expect((await spansOf(exec.id, 2)).map((s) => s.name).sort()).toEqual(["kept", "partly-rejected"]);
    } finally {
      warn.mockRestore();
    }
  });

  it("never throws into user code when the server is unreachable; drops beyond its buffer with a count", async () => {
    const errors: RunlensDeliveryError[] = [];
    const c = client({ apiUrl: "http://127.0.0.1:9", maxBufferedTraces: 5, onError: (e) => errors.push(e) });
    const exec = c.startExecution({ name: "offline" });
    const logIds: string[] = [];
    for (let i = 0; i < 10; i++) logIds.push(c.log(`l${i}`));
    await expect(exec.end()).resolves.toBeUndefined();
    expect(c.stats().tracesDropped).toBeGreaterThan(0);
    expect(c.stats().tracesPending).toBeLessThanOrEqual(5);
    // The oldest go first: the execution's start, then the first logs.
    const dropped = errors.filter((e) => e.kind === "dropped").flatMap((e) => e.ids);
    expect(dropped).toEqual([exec.id, ...logIds].slice(0, dropped.length));
  }, 30_000);

  it("Reviews client: typed errors by status, and an export that uses corrected outputs", async () => {
    const c = client({ agent: "concierge" });
    const exec = c.startExecution({ name: "chat", type: "agent_execution" });
    c.message({ role: "user", content: "Qual o horário?" });
    c.message({ role: "assistant", content: "Das 7h às 9h." });
    await exec.end();
    await spansOf(exec.id, 3);

    const reviews = new Reviews({ apiUrl: server.url, apiKey: server.apiKey });
    const { reviewId } = await reviews.create({
      executionId: exec.id,
      agentId: "concierge",
      rating: "bad",
      comment: "Horário errado no atendimento",
    });
    await expect(
      reviews.create({ executionId: exec.id, agentId: "concierge", rating: "good", comment: "second time around" }),
    ).rejects.toBeInstanceOf(ReviewAlreadyExistsError);
    const missing = await reviews.get("nope").catch((e) => e);
    expect(missing).toBeInstanceOf(ReviewNotFoundError);
    expect(missing).toBeInstanceOf(ReviewsError);
    expect(missing.status).toBe(404);
    const invalid = await reviews
      .create({ executionId: exec.id, agentId: "concierge", rating: "good", comment: "too short" })
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(ReviewsError);
    expect(invalid).not.toBeInstanceOf(ReviewNotFoundError);
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details[0].path).toBe("comment");
    expect(await reviews.check(exec.id)).toEqual({ hasReview: true, reviewId });

    const resolved = await reviews.update(reviewId, {
      status: "resolved",
      correctedOutput: "O café é das 6h30 às 10h.",
    });
    expect(resolved.resolvedBy).toMatch(/init/);
    const jsonl = await reviews.exportJsonl({ agentId: "concierge" });
    const lines = jsonl
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    const mine = lines.find((l) => l.metadata.review_id === reviewId);
    expect(mine.messages.at(-1)).toEqual({ role: "assistant", content: "O café é das 6h30 às 10h." });
    expect(mine.metadata).toMatchObject({ execution_id: exec.id, rating: "bad", was_corrected: true });
    expect((await reviews.stats("concierge")).byStatus.resolved).toBeGreaterThanOrEqual(1);
  });

  it("`runlens mcp` serves the review tools to the official MCP client", async () => {
    const c = client({ agent: "judge-target" });
    const exec = c.startExecution({ name: "to-judge", type: "agent_execution", input: "Qual o preço?" });
    await exec.end({ output: "R$ 10" });
    await spansOf(exec.id, 1);

    const mcp = new Client({ name: "runlens-test", version: "1.0.0" });
    const transport = new StdioClientTransport({
      command: "npx",
      args: ["runlens", "mcp"],
      env: { ...(process.env as Record<string, string>), RUNLENS_API_URL: server.url, RUNLENS_API_KEY: server.apiKey },
      stderr: "pipe",
    });
    await mcp.connect(transport);
    try {
      const { tools } = await mcp.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        "create_execution_review",
        "get_execution",
        "get_execution_review",
        "get_review_stats",
        "list_execution_reviews",
        "update_execution_review",
      ]);
      const got = await mcp.callTool({ name: "get_execution", arguments: { executionId: exec.id } });
      const details = JSON.parse((got.content as { text: string }[])[0].text);
      expect(details.execution).toMatchObject({ id: exec.id, name: "to-judge", output: "R$ 10" });

      const created = await mcp.callTool({
        name: "create_execution_review",
        arguments: {
          executionId: exec.id,
          agentId: "judge-target",
          rating: "neutral",
          comment: "Answer lacks the currency context",
        },
      });
      expect(created.isError).toBeFalsy();
      const { reviewId } = JSON.parse((created.content as { text: string }[])[0].text);
      const updated = await mcp.callTool({
        name: "update_execution_review",
        arguments: { reviewId, status: "in_progress" },
      });
      expect(JSON.parse((updated.content as { text: string }[])[0].text)).toMatchObject({
        id: reviewId,
        status: "in_progress",
      });
      const dup = await mcp.callTool({
        name: "create_execution_review",
        arguments: {
          executionId: exec.id,
          agentId: "judge-target",
          rating: "good",
          comment: "a second review attempt",
        },
      });
      expect(dup.isError).toBe(true);
      expect((dup.content as { text: string }[])[0].text).toMatch(/already has a review/);
      const stats = await mcp.callTool({ name: "get_review_stats", arguments: { agentId: "judge-target" } });
      expect(JSON.parse((stats.content as { text: string }[])[0].text)).toMatchObject({
        total: 1,
        byStatus: { in_progress: 1 },
      });
    } finally {
      await mcp.close();
    }
  });
});
