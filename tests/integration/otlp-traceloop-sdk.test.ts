import { SpanStatusCode, trace } from "@opentelemetry/api";
import * as traceloop from "@traceloop/node-server-sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withAppDb } from "../helpers/app";
import { type OpenAIStandIn, startOpenAIStandIn } from "../helpers/openai-stand-in";
import { weatherChat, weatherTool } from "../helpers/openai-weather-chat";
import {
  chatOf,
  messagesOf,
  OpenSpans,
  ofType,
  outline,
  seen,
  startOtlpServer,
  tokensOf,
  toolCallsOf,
  toolResultsOf,
} from "../helpers/otel-clients";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * OpenLLMetry's full SDK, @traceloop/node-server-sdk, as its docs set it up: `initialize` with the
 * portal as its base URL and the API key (its own OTLP/protobuf exporter and tracer provider), the
 * `openai` client instrumented through it, the run in `withWorkflow` (with association properties)
 * and the tool in `withTool`, against the OpenAI stand-in. Its own file: the SDK registers the
 * global tracer provider and patches the client module.
 */

describe("openai + @traceloop/node-server-sdk -> OTLP -> what the user sees", () => {
  const app = withAppDb();
  let key = "";
  let model: OpenAIStandIn;
  let otlp: { url: string; close(): Promise<void> };
  let client: OpenAI;
  const open = new OpenSpans();

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Traceloop SDK"));
    model = await startOpenAIStandIn();
    otlp = await startOtlpServer(() => app.drained());
    traceloop.initialize({
      appName: "traceloop-app",
      baseUrl: `${otlp.url}/api/otel`, // the SDK appends /v1/traces
      apiKey: key, // sent as Authorization: Bearer <key>
      instrumentModules: { openAI: OpenAI }, // ESM: the SDK cannot patch `openai` by require hooks
      traceloopSyncEnabled: false,
      silenceInitializationMessage: true,
      processor: open, // beside the SDK's own: sees which spans start and end
    });
    client = new OpenAI({ apiKey: "sk-test", baseURL: model.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await otlp?.close();
    await model?.close();
  });

  /** The trace of the span active where it is called: the run's execution id. */
  const activeTrace = () => trace.getActiveSpan()?.spanContext().traceId ?? "";

  it("a workflow with a tool-calling chat: workflow, LLM spans with model, provider, tokens and messages, the tool, the thread", async () => {
    const weather = (args: { city: string }) => traceloop.withTool({ name: "weather" }, weatherTool, args);
    let traceId = "";
    const answer = await traceloop.withWorkflow(
      { name: "weather-workflow", associationProperties: { session_id: "sess-tl-1", user_id: "user-tl" } },
      () => {
        traceId = activeTrace();
        return weatherChat(client, model, weather);
      },
    );
    expect(answer).toBe("Lima is cloudy, 18°C.");
    await traceloop.forceFlush(); // what a short script does before it exits

    const page = await seen(traceId, key);
    expect(page.execution, outline(page)).toMatchObject({
      name: "weather-workflow",
      type: "workflow_execution",
      agent: "traceloop-app",
      status: "success",
      sessionId: "sess-tl-1",
      threadId: "sess-tl-1",
      identify: { type: "user", value: "user-tl" },
      hasConversation: true,
      tokens: { input: 70, output: 15, total: 85 },
    });
    const llms = ofType(page, "llm_call");
    expect(llms.map((s) => [s.name, s.llm?.model, s.llm?.provider, s.llm?.usage])).toEqual([
      ["chat gpt-4o-mini", "gpt-4o-mini", "openai", { inputTokens: 25, outputTokens: 10, totalTokens: 35 }],
      ["chat gpt-4o-mini", "gpt-4o-mini", "openai", { inputTokens: 45, outputTokens: 5, totalTokens: 50 }],
    ]);
    expect(tokensOf(llms)).toEqual([35, 50]);
    expect(messagesOf(llms[0].input)).toEqual([
      ["system", "You answer weather questions."],
      ["user", "Weather in Lima?"],
    ]);
    expect(toolCallsOf(llms[0].output)).toEqual([["weather", { city: "Lima" }]]);
    expect(messagesOf(llms[1].input).map(([role]) => role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(toolResultsOf(llms[1].input)).toEqual([["call_w", "cloudy in Lima, 18°C"]]);
    expect(messagesOf(llms[1].output)).toEqual([["assistant", "Lima is cloudy, 18°C."]]);
    expect(ofType(page, "tool_call")).toMatchObject([
      { name: "weather", status: "success", input: { city: "Lima" }, output: "cloudy in Lima, 18°C" },
    ]);
    expect(chatOf(page)).toEqual([
      ["system", "You answer weather questions.", "chat gpt-4o-mini"],
      ["user", "Weather in Lima?", "chat gpt-4o-mini"],
      ["assistant", 'weather({"city":"Lima"})', "chat gpt-4o-mini"],
      ["tool", "-> cloudy in Lima, 18°C", "chat gpt-4o-mini"],
      ["assistant", "Lima is cloudy, 18°C.", "chat gpt-4o-mini"],
    ]);
  });

  it("a call the API rejects inside a workflow: nothing of the workflow is exported; the app's own span shows the error", async () => {
    model.reply({ status: 400, error: "The model `gpt-4o-mini` is overloaded." });
    const tracer = trace.getTracer("app"); // the global provider the SDK registered
    let traceId = "";
    let workflowTrace = "";
    await tracer.startActiveSpan("answer", async (span) => {
      traceId = activeTrace();
      try {
        await traceloop.withWorkflow({ name: "failing-workflow" }, () => {
          workflowTrace = activeTrace();
          return client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
        });
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      } finally {
        span.end();
      }
    });
    await traceloop.forceFlush();
    expect(workflowTrace).toBe(traceId);
    const page = await seen(traceId, key);
    expect(page.execution, outline(page)).toMatchObject({ name: "answer", status: "error" });
    expect(page.traces[0].error?.message).toBe("400 The model `gpt-4o-mini` is overloaded.");
    // The SDK (0.27.0) ends neither span when the call rejects, so neither is ever exported:
    // @traceloop/node-server-sdk dist/index.js `withEntity` ends its span only in `res.then(...)`
    // (no rejection handler), and @traceloop/instrumentation-openai dist/index.js `_wrapPromise`
    // ends the LLM span only in `promise._thenUnwrap(...)` (no rejection handler either).
    expect(open.names()).toEqual(["failing-workflow.workflow", "chat gpt-4o-mini"]);
    expect(page.traces.map((s) => [s.type, s.name])).toEqual([
      ["custom_execution", "answer"],
      ["error", "Error"],
    ]);
  });
});
