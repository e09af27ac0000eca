import { OpenAIInstrumentation } from "@traceloop/instrumentation-openai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withAppDb } from "../helpers/app";
import { type OpenAIStandIn, startOpenAIStandIn } from "../helpers/openai-stand-in";
import { weatherChat } from "../helpers/openai-weather-chat";
import { seen, startOtlpServer, startTracing, type Tracing, textOf } from "../helpers/otel-clients";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * The `openai` client instrumented by OpenLLMetry's @traceloop/instrumentation-openai (what
 * @traceloop/node-server-sdk installs; its own file, as it patches the client module), exporting
 * through the OTLP exporter to the portal's routes, against the OpenAI stand-in. No error case:
 * this instrumentation (0.27.0) exports no span for a call the API rejects.
 */

const messages = (v: unknown) =>
  ((v as { role: string; parts: { type: string }[] }[] | null) ?? []).map((m) => [m.role, textOf(m)]);
const toolCalls = (v: unknown) =>
  ((v as { parts: { type: string; name?: string; arguments?: unknown }[] }[] | null) ?? []).flatMap((m) =>
    m.parts.filter((p) => p.type === "tool_call").map((p) => [p.name, p.arguments]),
  );

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

  const inSpan = <T>(name: string, fn: () => Promise<T>) =>
    tracing.provider.getTracer("app").startActiveSpan(name, async (span) => {
      try {
        return await fn();
      } finally {
        span.end();
      }
    });

  it("a tool-calling chat: LLM spans with model, provider, tokens and role-labelled messages", async () => {
    expect(await inSpan("weather question", () => weatherChat(client, model))).toBe("Lima is cloudy, 18°C.");
    const page = await seen(await tracing.flushRun(), key);
    expect(page.execution).toMatchObject({
      name: "weather question",
      agent: "traceloop-app",
      status: "success",
      tokens: { input: 70, output: 15, total: 85 },
    });
    const llms = page.traces.filter((s) => s.type === "llm_call");
    expect(llms.map((s) => [s.name, s.llm?.model, s.llm?.provider, s.llm?.usage?.totalTokens])).toEqual([
      ["chat gpt-4o-mini", "gpt-4o-mini", "openai", 35],
      ["chat gpt-4o-mini", "gpt-4o-mini", "openai", 50],
    ]);
    expect(messages(llms[0].input)).toEqual([
      ["system", "You answer weather questions."],
      ["user", "Weather in Lima?"],
    ]);
    expect(toolCalls(llms[0].output)).toEqual([["weather", { city: "Lima" }]]);
    expect(messages(llms[1].input).map(([role]) => role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(messages(llms[1].output)).toEqual([["assistant", "Lima is cloudy, 18°C."]]);
    expect(page.execution.hasConversation).toBe(true);
  });
});
