import { SpanStatusCode } from "@opentelemetry/api";
import { OpenAIInstrumentation } from "@traceloop/instrumentation-openai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withAppDb } from "../helpers/app";
import { type OpenAIStandIn, startOpenAIStandIn } from "../helpers/openai-stand-in";
import { weatherChat } from "../helpers/openai-weather-chat";
import {
  chatOf,
  messagesOf,
  ofType,
  outline,
  seen,
  startOtlpServer,
  startTracing,
  type Tracing,
  toolCallsOf,
  toolResultsOf,
} from "../helpers/otel-clients";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * The `openai` client instrumented by OpenLLMetry's @traceloop/instrumentation-openai alone (what
 * @traceloop/node-server-sdk installs, here under the app's own tracer provider; the full SDK is
 * otlp-traceloop-sdk.test.ts), exporting through the OTLP exporter to the portal's routes, against
 * the OpenAI stand-in. Its own file, as it patches the client module.
 */

describe("openai + OpenLLMetry (Traceloop) -> OTLP -> what the user sees", () => {
  const app = withAppDb();
  let key = "";
  let model: OpenAIStandIn;
  let otlp: { url: string; close(): Promise<void> };
  let tracing: Tracing;
  let client: OpenAI;

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Traceloop"));
    model = await startOpenAIStandIn();
    otlp = await startOtlpServer(() => app.drained());
    tracing = startTracing(otlp.url, key, "traceloop-app");
    const instrumentation = new OpenAIInstrumentation({ traceContent: true });
    instrumentation.setTracerProvider(tracing.provider);
    instrumentation.manuallyInstrument(OpenAI);
    client = new OpenAI({ apiKey: "sk-test", baseURL: model.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await tracing?.provider.shutdown();
    await otlp?.close();
    await model?.close();
  });

  /** The app's own root span, as OpenTelemetry's docs write one: the session, the error recorded. */
  const inSpan = <T>(name: string, sessionId: string, fn: () => Promise<T>) =>
    tracing.provider
      .getTracer("app")
      .startActiveSpan(name, { attributes: { "session.id": sessionId } }, async (span) => {
        try {
          return await fn();
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      });

  it("a tool-calling chat: LLM spans with model, provider, tokens and role-labelled messages", async () => {
    expect(await inSpan("weather question", "sess-tli-1", () => weatherChat(client, model))).toBe(
      "Lima is cloudy, 18°C.",
    );
    const page = await seen(await tracing.flushRun(), key);
    expect(page.execution, outline(page)).toMatchObject({
      name: "weather question",
      agent: "traceloop-app",
      status: "success",
      threadId: "sess-tli-1",
      hasConversation: true,
      tokens: { input: 70, output: 15, total: 85 },
    });
    const llms = ofType(page, "llm_call");
    expect(llms.map((s) => [s.name, s.llm?.model, s.llm?.provider, s.llm?.usage?.totalTokens])).toEqual([
      ["chat gpt-4o-mini", "gpt-4o-mini", "openai", 35],
      ["chat gpt-4o-mini", "gpt-4o-mini", "openai", 50],
    ]);
    expect(messagesOf(llms[0].input)).toEqual([
      ["system", "You answer weather questions."],
      ["user", "Weather in Lima?"],
    ]);
    expect(toolCallsOf(llms[0].output)).toEqual([["weather", { city: "Lima" }]]);
    expect(messagesOf(llms[1].input).map(([role]) => role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(toolResultsOf(llms[1].input)).toEqual([["call_w", "cloudy in Lima, 18°C"]]);
    expect(messagesOf(llms[1].output)).toEqual([["assistant", "Lima is cloudy, 18°C."]]);
    expect(chatOf(page).map(([role, text]) => [role, text])).toEqual([
      ["system", "You answer weather questions."],
      ["user", "Weather in Lima?"],
      ["assistant", 'weather({"city":"Lima"})'],
      ["tool", "-> cloudy in Lima, 18°C"],
      ["assistant", "Lima is cloudy, 18°C."],
    ]);
  });

  it("a call the API rejects: the app's span is the run's error with the API's message; the LLM span is never ended", async () => {
    model.reply({ status: 400, error: "The model `gpt-4o-mini` is overloaded." });
    await expect(
      inSpan("failing question", "sess-tli-2", () =>
        client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] }),
      ),
    ).rejects.toThrow(/overloaded/);
    const page = await seen(await tracing.flushRun(), key);
    expect(page.execution, outline(page)).toMatchObject({ name: "failing question", status: "error" });
    expect(page.traces[0].error?.message).toBe("400 The model `gpt-4o-mini` is overloaded.");
    // The instrumentation (0.27.0) never ends the span of a call whose promise rejects:
    // dist/index.js `_wrapPromise` ends it only in `promise._thenUnwrap(...)` (no rejection
    // handler), and the `safeExecuteInTheMiddle` error callback only logs a synchronous throw.
    expect(tracing.open.names()).toEqual(["chat gpt-4o-mini"]);
    expect(ofType(page, "llm_call")).toEqual([]);
  });
});
