import { setSession, traceChain, traceTool } from "@arizeai/openinference-core";
import { OpenAIInstrumentation } from "@arizeai/openinference-instrumentation-openai";
import { context } from "@opentelemetry/api";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withAppDb } from "../helpers/app";
import { type OpenAIStandIn, startOpenAIStandIn } from "../helpers/openai-stand-in";
import { weatherChat, weatherTool } from "../helpers/openai-weather-chat";
import {
  chatOf,
  messagesOf,
  ofType,
  outline,
  seen,
  startOtlpServer,
  startTracing,
  type Tracing,
  tokensOf,
  toolCallsOf,
  toolResultsOf,
} from "../helpers/otel-clients";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * The `openai` client instrumented by @arizeai/openinference-instrumentation-openai (its own file:
 * instrumentations patch the client's prototype for the whole module), exporting through the OTLP
 * exporter to the portal's routes, against the OpenAI stand-in. The run and the tool are traced
 * with OpenInference's own helpers (`traceChain`, `traceTool` of @arizeai/openinference-core) and
 * the session set with its `setSession`, as its docs show.
 */

describe("openai + OpenInference -> OTLP -> what the user sees", () => {
  const app = withAppDb();
  let key = "";
  let model: OpenAIStandIn;
  let otlp: { url: string; close(): Promise<void> };
  let tracing: Tracing;
  let client: OpenAI;

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "OpenInference"));
    model = await startOpenAIStandIn();
    otlp = await startOtlpServer(() => app.drained());
    tracing = startTracing(otlp.url, key, "openai-app");
    const instrumentation = new OpenAIInstrumentation({ tracerProvider: tracing.provider });
    instrumentation.manuallyInstrument(OpenAI);
    client = new OpenAI({ apiKey: "sk-test", baseURL: model.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await tracing?.provider.shutdown();
    await otlp?.close();
    await model?.close();
  });

  const inSession = <T>(sessionId: string, fn: () => Promise<T>) =>
    context.with(setSession(context.active(), { sessionId }), fn);

  it("a tool-calling chat in a session: the chain, LLM spans with model, provider, tokens and messages, the tool", async () => {
    const weather = traceTool(weatherTool, { name: "weather" });
    const question = traceChain(() => weatherChat(client, model, weather), { name: "weather question" });
    expect(await inSession("sess-oi-1", question)).toBe("Lima is cloudy, 18°C.");

    const page = await seen(await tracing.flushRun(), key);
    expect(page.execution, outline(page)).toMatchObject({
      name: "weather question",
      agent: "openai-app",
      status: "success",
      sessionId: "sess-oi-1",
      threadId: "sess-oi-1",
      hasConversation: true,
      tokens: { input: 70, output: 15, total: 85 },
    });
    const llms = ofType(page, "llm_call");
    expect(llms.map((s) => [s.name, s.llm?.model, s.llm?.provider, s.llm?.usage])).toEqual([
      ["OpenAI Chat Completions", "gpt-4o-mini", "openai", { inputTokens: 25, outputTokens: 10, totalTokens: 35 }],
      ["OpenAI Chat Completions", "gpt-4o-mini", "openai", { inputTokens: 45, outputTokens: 5, totalTokens: 50 }],
    ]);
    expect(messagesOf(llms[0].input)).toEqual([
      ["system", "You answer weather questions."],
      ["user", "Weather in Lima?"],
    ]);
    expect(toolCallsOf(llms[0].output)).toEqual([["weather", { city: "Lima" }]]);
    // The second call's input carries the tool result the user sent back.
    expect(messagesOf(llms[1].input).map(([role]) => role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(toolResultsOf(llms[1].input)).toEqual([["call_w", "cloudy in Lima, 18°C"]]);
    expect(messagesOf(llms[1].output)).toEqual([["assistant", "Lima is cloudy, 18°C."]]);
    // The tool, traced by traceTool: its arguments and result.
    expect(ofType(page, "tool_call")).toMatchObject([
      { name: "weather", status: "success", input: { city: "Lima" }, output: "cloudy in Lima, 18°C" },
    ]);
    // The chat: each turn once, linked to the call it came from.
    expect(chatOf(page)).toEqual([
      ["system", "You answer weather questions.", "OpenAI Chat Completions"],
      ["user", "Weather in Lima?", "OpenAI Chat Completions"],
      ["assistant", 'weather({"city":"Lima"})', "OpenAI Chat Completions"],
      ["tool", "-> cloudy in Lima, 18°C", "OpenAI Chat Completions"],
      ["assistant", "Lima is cloudy, 18°C.", "OpenAI Chat Completions"],
    ]);
    expect(tokensOf(llms)).toEqual([35, 50]);
  });

  it("a call the API rejects: the chain is the run's error with the API's message; the LLM span is never ended", async () => {
    model.reply({ status: 400, error: "The model `gpt-4o-mini` is overloaded." });
    const question = traceChain(
      () => client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] }),
      { name: "failing question" },
    );
    await expect(inSession("sess-oi-2", question)).rejects.toThrow(/overloaded/);

    const page = await seen(await tracing.flushRun(), key);
    expect(page.execution, outline(page)).toMatchObject({
      name: "failing question",
      status: "error",
      threadId: "sess-oi-2",
    });
    expect(JSON.stringify(page.execution.error)).toMatch(/400 The model `gpt-4o-mini` is overloaded\./);
    const [root] = page.traces;
    expect(root).toMatchObject({ name: "failing question", status: "error" });
    expect(root.error?.message).toMatch(/overloaded/);
    // The instrumentation (4.2.7) never ends the span of a call whose promise rejects, so it is
    // never exported: dist/src/instrumentation.js, patchedCreate of Chat.Completions ends the span
    // in the `safeExecuteInTheMiddle` error callback (a synchronous throw only) and in
    // `wrappedPromiseThen`, chained by `invokeMaybeAPIPromise` as `promise._thenUnwrap(then)` with
    // no rejection handler. Proof: the span was started and is still open.
    expect(tracing.open.names()).toEqual(["OpenAI Chat Completions"]);
    expect(ofType(page, "llm_call")).toEqual([]);
  });
});
