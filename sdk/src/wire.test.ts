import { describe, expect, it, vi } from "vitest";

// Ids in order of creation, so the bodies are the same on every run.
let uuids = 0;
vi.mock("node:crypto", async (original) => ({
  ...(await original<typeof import("node:crypto")>()),
  randomUUID: () => `00000000-0000-4000-8000-${String(++uuids).padStart(12, "0")}`,
}));

const { Runlens } = await import("./observability.ts");
const { traceLLM } = await import("./llm.ts");

const T0 = Date.parse("2026-01-15T10:30:00.000Z");

/** An error whose stack does not depend on where this file's lines are. */
function errorOf<E extends Error>(error: E): E {
  error.stack = `${error.name}: ${error.message}\n    at somewhere (agent.ts:1:1)`;
  return error;
}

/** A client on a stepping clock whose requests are answered 200 in process, keeping each body as sent. */
function recordingClient(opts: ConstructorParameters<typeof Runlens>[0] = {}) {
  const bodies: string[] = [];
  let now = T0;
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    bodies.push(`${init?.method} ${String(url)} ${JSON.stringify(init?.headers)}\n${String(init?.body)}`);
    return Response.json({ accepted: 0, rejected: 0 });
  }) as typeof globalThis.fetch;
  const client = new Runlens({
    apiUrl: "http://runlens.test/",
    apiKey: "rl_wire",
    fetch,
    warnings: false,
    sendRunningAfterMs: 0,
    clock: () => (now += 7),
    ...opts,
  });
  return { client, bodies };
}

/** Every kind of record the SDK builds: executions, spans, points, LLM calls, emitted traces, events. */
async function everyRecordKind(client: InstanceType<typeof Runlens>): Promise<void> {
  client.identify({ type: "document", value: "doc-1" });
  const exec = client.startExecution({
    name: "support turn",
    type: "agent_execution",
    agent: "support-agent",
    threadId: "th-1",
    sessionId: "sess-1",
    companyId: "co-1",
    input: { message: "Where is my order?" },
    metadata: { env: "test" },
  });
  await client.flush(); // the running versions go out before their ends replace them
  exec.log("received", { chars: 18 });
  exec.log("structured", { input: { a: 1 }, output: "ok" });
  const step = client.startSpan("step 0", { input: { k: 0 }, stepType: "function", metadata: { m: 1 } });
  await client.flush();
  await traceLLM(
    {
      client,
      model: "gpt-4o-mini",
      provider: "openai",
      promptName: "support/plan",
      variables: { tone: "kind" },
      config: { temperature: 0 },
      input: [{ role: "user", content: "Where is my order?" }],
    },
    async () => ({
      choices: [{ message: { content: "It shipped." } }],
      usage: { prompt_tokens: 90, completion_tokens: 40 },
    }),
  );
  await traceLLM({ client, model: "claude", name: "fallback", parentId: exec.id }, async () => {
    throw errorOf(new TypeError("model down"));
  }).catch(() => undefined);
  await traceLLM(
    { client, model: "custom", extract: () => ({ output: "x", usage: { totalTokens: 3 } }) },
    async () => 1,
  );
  client.emitTrace({
    id: "tool-1",
    executionId: exec.id,
    parentId: step.traceId,
    type: "tool_call",
    name: "search_orders",
    startedAt: client.timestamp(),
    endedAt: client.timestamp(),
    status: "success",
    input: { q: "order" },
    output: { hits: 1 },
    agent: "support-agent",
  } as never);
  client.log("step done", { k: 0 });
  client.log("under root", undefined, { parentId: null });
  client.logEvent("checkpoint", { input: 1, output: 2, metadata: { n: 3 } });
  client.logError("lookup failed", errorOf(new RangeError("no such order")), { metadata: { order: 7 } });
  client.logError("odd failure", { message: "plain object" });
  client.message({ role: "user", content: "Hi" });
  client.message({ role: "assistant", content: { type: "buttons", options: ["a", "b"] }, metadata: { x: 1 } });
  client.track("ticket_resolved", { answered: true });
  client.track("at", {}, { timestamp: new Date(T0), threadId: "other" });
  step.end({ output: { ok: true } });
  const failing = client.startSpan("failing", { type: "tool_call", parentId: step.traceId });
  failing.end({ error: "boom", metadata: { retry: false } });
  await client.withSpan("isolated", { input: "in" }, async () => client.log("inside"));
  exec.setError(errorOf(new Error("late")));
  await exec.end({ output: { answer: "It shipped." } });
  const orphan = client.startSpan("no execution");
  orphan.end();
  await client.flush();
}

describe("what the SDK sends", () => {
  // The bodies recorded before the SDK's record building was made cheaper (sdk-cpu): every
  // request, header and byte must stay as it was.
  it("is byte-for-byte the bodies it sent before, for every kind of record", async () => {
    uuids = 0;
    const { client, bodies } = recordingClient();
    await everyRecordKind(client);
    await expect(bodies.join("\n\n")).toMatchFileSnapshot("./__snapshots__/wire-full.txt");
  });

  it("is byte-for-byte the bodies it sent before in standard mode, with truncation and an onTrace hook", async () => {
    uuids = 0;
    const { client, bodies } = recordingClient({
      mode: "standard",
      maxInputLength: 12,
      maxOutputLength: 10,
      onTrace: (t) => (t.name === "under root" ? null : t.type === "log" ? { ...t, name: `${t.name}!` } : undefined),
    });
    await everyRecordKind(client);
    await expect(bodies.join("\n\n")).toMatchFileSnapshot("./__snapshots__/wire-standard.txt");
  });

  it("sends a span's and an LLM call's options as they were when it started, whatever the caller changes later", async () => {
    const { client, bodies } = recordingClient();
    const spanOptions = { input: { q: "first" }, stepType: "function" };
    const span = client.startSpan("step", spanOptions);
    const llmOptions = { client, model: "gpt-4o-mini", provider: "openai", input: "first prompt" };
    await traceLLM(llmOptions, async () => {
      llmOptions.model = "changed";
      llmOptions.provider = "changed";
      return { text: "ok" };
    });
    spanOptions.input = { q: "changed" };
    spanOptions.stepType = "changed";
    span.end();
    await client.flush();

    const sent = bodies.flatMap((b) => JSON.parse(b.slice(b.indexOf("\n") + 1)).traces ?? []);
    expect(sent.find((t: { name: string }) => t.name === "step")).toMatchObject({
      input: { q: "first" },
      stepType: "function",
      status: "success",
    });
    expect(sent.find((t: { type: string }) => t.type === "llm_call").llm).toMatchObject({
      model: "gpt-4o-mini",
      provider: "openai",
    });
  });
});
