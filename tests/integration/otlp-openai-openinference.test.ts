import { setSession } from "@arizeai/openinference-core";
import { OpenAIInstrumentation } from "@arizeai/openinference-instrumentation-openai";
import { context } from "@opentelemetry/api";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withAppDb } from "../helpers/app";
import { type OpenAIStandIn, startOpenAIStandIn } from "../helpers/openai-stand-in";
import { weatherChat } from "../helpers/openai-weather-chat";
import { seen, startOtlpServer, startTracing, type Tracing, textOf } from "../helpers/otel-clients";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * The `openai` client instrumented by @arizeai/openinference-instrumentation-openai (its own file:
 * instrumentations patch the client's prototype for the whole module), exporting through the OTLP
 * exporter to the portal's routes, against the OpenAI stand-in. No error case here: this
 * instrumentation (4.2.7) never ends the span of a call the API rejects, so nothing is exported.
 */

const messages = (v: unknown) =>
  ((v as { role: string; parts: { type: string }[] }[] | null) ?? []).map((m) => [m.role, textOf(m)]);
const toolCalls = (v: unknown) =>
  ((v as { parts: { type: string; name?: string; arguments?: unknown }[] }[] | null) ?? []).flatMap((m) =>
    m.parts.filter((p) => p.type === "tool_call").map((p) => [p.name, p.arguments]),
  );

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

  it("a tool-calling chat in a session: LLM spans with model, provider, tokens and role-labelled messages", async () => {
    const tracer = tracing.provider.getTracer("app");
    const answer = await context.with(setSession(context.active(), { sessionId: "sess-oi-1" }), () =>
      tracer.startActiveSpan("weather question", async (span) => {
        try {
          return await weatherChat(client, model);
        } finally {
          span.end();
        }
      }),
    );
    expect(answer).toBe("Lima is cloudy, 18°C.");
    const page = await seen(await tracing.flushRun(), key);
    expect(page.execution).toMatchObject({
      name: "weather question",
      agent: "openai-app",
      status: "success",
      tokens: { input: 70, output: 15, total: 85 },
    });
    const llms = page.traces.filter((s) => s.type === "llm_call");
    expect(llms.map((s) => [s.name, s.llm?.model, s.llm?.provider, s.llm?.usage?.totalTokens])).toEqual([
      ["OpenAI Chat Completions", "gpt-4o-mini", "openai", 35],
      ["OpenAI Chat Completions", "gpt-4o-mini", "openai", 50],
    ]);
    expect(messages(llms[0].input)).toEqual([
      ["system", "You answer weather questions."],
      ["user", "Weather in Lima?"],
    ]);
    expect(toolCalls(llms[0].output)).toEqual([["weather", { city: "Lima" }]]);
    // The second call's input carries the tool result the user sent back.
    expect(messages(llms[1].input).map(([role]) => role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(messages(llms[1].output)).toEqual([["assistant", "Lima is cloudy, 18°C."]]);
    expect(page.execution.sessionId).toBe("sess-oi-1");
    expect(page.execution.threadId).toBe("sess-oi-1");
    expect(page.execution.hasConversation).toBe(true);
  });
});
