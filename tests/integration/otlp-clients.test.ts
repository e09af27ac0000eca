import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { LangChainInstrumentation } from "@arizeai/openinference-instrumentation-langchain";
import { OpenAIAgentsInstrumentation } from "@arizeai/openinference-instrumentation-openai-agents";
import * as CallbackManagerModule from "@langchain/core/callbacks/manager";
import { RunnableLambda } from "@langchain/core/runnables";
import { tool as langchainTool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import * as agents from "@openai/agents";
import { context, trace } from "@opentelemetry/api";
import { generateText, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ExecutionDetails, Span } from "@/lib/contracts/executions";
import { withAppDb } from "../helpers/app";
import { type OpenAIStandIn, startOpenAIStandIn } from "../helpers/openai-stand-in";
import { seen, startLogging, startOtlpServer, startTracing, type Tracing, textOf } from "../helpers/otel-clients";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * Real GenAI frameworks (the npm packages users run, instrumented as their docs say) exporting
 * through the standard OTLP/protobuf exporters to the portal's routes, with a local
 * OpenAI-compatible stand-in for the model: each test asserts what that framework's user sees
 * through the read API (names, types, model and provider, tokens on span and execution, the
 * messages with their roles, tools with arguments and results, errors, the thread, the chat).
 */

/** The spans as "depth type name" lines: what a failing assertion prints. */
const outline = (page: ExecutionDetails) =>
  page.traces.map((s) => `${"  ".repeat(s.depth)}${s.type} ${s.name}${s.llm?.model ? ` [${s.llm.model}]` : ""}`);

const messagesOf = (value: unknown) =>
  ((value as { role: string; parts: { type: string; text?: string }[] }[] | null) ?? []).map((m) => [
    m.role,
    textOf({ parts: m.parts }),
  ]);
const toolCallsOf = (value: unknown) =>
  ((value as { parts: { type: string; name?: string; arguments?: unknown }[] }[] | null) ?? []).flatMap((m) =>
    m.parts.filter((p) => p.type === "tool_call").map((p) => [p.name, p.arguments]),
  );
const ofType = (page: ExecutionDetails, type: string) => page.traces.filter((s) => s.type === type);
const sumTokens = (spans: Span[]) => spans.reduce((n, s) => n + (s.llm?.usage?.totalTokens ?? 0), 0);

describe("real GenAI clients -> OTLP -> what the user sees", () => {
  const app = withAppDb();
  let key = "";
  let model: OpenAIStandIn;
  let otlp: { url: string; close(): Promise<void> };
  let tracing: Tracing;

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Clients"));
    model = await startOpenAIStandIn();
    otlp = await startOtlpServer(() => app.drained());
    tracing = startTracing(otlp.url, key, "clients-app");
  });
  afterAll(async () => {
    await tracing?.provider.shutdown();
    await otlp?.close();
    await model?.close();
  });

  const exported = async () => seen(await tracing.flushRun(), key);

  describe("Vercel AI SDK (ai, experimental_telemetry)", () => {
    const standIn = () =>
      createOpenAICompatible({ name: "standin", baseURL: model.url, apiKey: "sk-test", includeUsage: true });
    const weather = tool({
      description: "The weather in a city",
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => ({ city, forecast: "sunny", celsius: 21 }),
    });

    it("generateText with a tool: the function id names the run, the steps are LLM calls and the tool a tool", async () => {
      model.reply(
        {
          toolCalls: [{ id: "call_1", name: "weather", arguments: '{"city":"Paris"}' }],
          usage: { prompt: 20, completion: 7 },
        },
        { content: "It is sunny in Paris, 21°C.", usage: { prompt: 40, completion: 9 } },
      );
      const result = await generateText({
        model: standIn()("gpt-4o-mini"),
        system: "You are a weather assistant.",
        prompt: "What is the weather in Paris?",
        tools: { weather },
        stopWhen: stepCountIs(3),
        experimental_telemetry: {
          isEnabled: true,
          functionId: "weather-assistant",
          metadata: { sessionId: "sess-ai-1", userId: "user-7" },
        },
      });
      expect(result.text).toBe("It is sunny in Paris, 21°C.");
      const page = await exported();
      const { execution } = page;
      expect(execution, outline(page).join("\n")).toMatchObject({
        name: "weather-assistant",
        agent: "clients-app",
        status: "success",
        threadId: "sess-ai-1",
        sessionId: "sess-ai-1",
        identify: { type: "user", value: "user-7" },
        tokens: { input: 60, output: 16, total: 76 },
      });
      const llms = ofType(page, "llm_call");
      expect(llms).toHaveLength(2);
      for (const llm of llms) expect(llm.llm).toMatchObject({ model: "gpt-4o-mini", provider: "standin" });
      expect(llms.map((s) => s.llm?.usage)).toEqual([
        { inputTokens: 20, outputTokens: 7, totalTokens: 27 },
        { inputTokens: 40, outputTokens: 9, totalTokens: 49 },
      ]);
      expect(messagesOf(llms[0].input)).toEqual([
        ["system", "You are a weather assistant."],
        ["user", "What is the weather in Paris?"],
      ]);
      expect(toolCallsOf(llms[0].output)).toEqual([["weather", { city: "Paris" }]]);
      expect(messagesOf(llms[1].output)).toEqual([["assistant", "It is sunny in Paris, 21°C."]]);
      expect(ofType(page, "tool_call")).toMatchObject([
        { name: "weather", input: { city: "Paris" }, output: { city: "Paris", forecast: "sunny", celsius: 21 } },
      ]);
      // The chat: the turns as lived, the tool call among them.
      expect(execution.hasConversation).toBe(true);
      expect(ofType(page, "conversation_message").map((m) => m.message?.role)).toEqual(
        expect.arrayContaining(["system", "user", "assistant"]),
      );
    });

    it("streamText: the streamed text, usage and time to first chunk", async () => {
      model.reply({ content: "Streaming works fine.", usage: { prompt: 11, completion: 4 } });
      const result = streamText({
        model: standIn()("gpt-4o-mini"),
        prompt: "Say something",
        experimental_telemetry: { isEnabled: true, functionId: "streamer", metadata: { threadId: "thread-s" } },
      });
      expect(await result.text).toBe("Streaming works fine.");
      const page = await exported();
      expect(page.execution, outline(page).join("\n")).toMatchObject({
        name: "streamer",
        threadId: "thread-s",
        tokens: { input: 11, output: 4, total: 15 },
      });
      const [llm] = ofType(page, "llm_call");
      expect(llm.llm).toMatchObject({ model: "gpt-4o-mini", usage: { totalTokens: 15 } });
      expect(llm.llm?.timeToFirstTokenMs).toEqual(expect.any(Number));
      expect(messagesOf(llm.output)).toEqual([["assistant", "Streaming works fine."]]);
    });

    it("a model error is the run's error, with the provider's message", async () => {
      model.reply({ status: 400, error: "The model `gpt-4o-mini` is overloaded." });
      await expect(
        generateText({
          model: standIn()("gpt-4o-mini"),
          prompt: "Hi",
          maxRetries: 0,
          experimental_telemetry: { isEnabled: true, functionId: "failing-call" },
        }),
      ).rejects.toThrow(/overloaded/);
      const page = await exported();
      expect(page.execution, outline(page).join("\n")).toMatchObject({ name: "failing-call", status: "error" });
      expect(JSON.stringify(page.execution.error)).toMatch(/overloaded/);
      expect(page.traces.find((s) => s.parentId === null)?.error?.message).toMatch(/overloaded/);
    });
  });

  describe("LangChain.js (@arizeai/openinference-instrumentation-langchain)", () => {
    beforeAll(() => {
      new LangChainInstrumentation({ tracerProvider: tracing.provider }).manuallyInstrument(CallbackManagerModule);
    });

    it("a chain calling a tool-bound ChatOpenAI and the tool", async () => {
      model.reply(
        {
          toolCalls: [{ id: "call_lc", name: "weather", arguments: '{"city":"Oslo"}' }],
          usage: { prompt: 30, completion: 8 },
        },
        { content: "Oslo: rain, 7°C.", usage: { prompt: 50, completion: 6 } },
      );
      const weather = langchainTool(async ({ city }: { city: string }) => `rain in ${city}, 7°C`, {
        name: "weather",
        description: "The weather in a city",
        schema: z.object({ city: z.string() }),
      });
      const llm = new ChatOpenAI({
        model: "gpt-4o-mini",
        apiKey: "sk-test",
        configuration: { baseURL: model.url },
        maxRetries: 0,
      }).bindTools([weather]);
      const chain = RunnableLambda.from(async (question: string, config) => {
        const history = [
          { role: "system", content: "You answer weather questions." },
          { role: "user", content: question },
        ];
        const ask = await llm.invoke(history, config);
        const result = await weather.invoke(ask.tool_calls?.[0] as never, config);
        const answer = await llm.invoke([...history, ask, result], config);
        return answer.content as string;
      }).withConfig({ runName: "weather-chain" });
      const answer = await chain.invoke("Weather in Oslo?", { metadata: { session_id: "sess-lc-1" } });
      expect(answer).toBe("Oslo: rain, 7°C.");

      const page = await exported();
      expect(page.execution, outline(page).join("\n")).toMatchObject({
        name: "weather-chain",
        status: "success",
        sessionId: "sess-lc-1",
        threadId: "sess-lc-1",
        tokens: { input: 80, output: 14, total: 94 },
      });
      const llms = ofType(page, "llm_call");
      expect(llms).toHaveLength(2);
      for (const s of llms) expect(s.llm).toMatchObject({ model: "gpt-4o-mini", provider: "openai" });
      expect(sumTokens(llms)).toBe(94);
      expect(messagesOf(llms[0].input)).toEqual([
        ["system", "You answer weather questions."],
        ["user", "Weather in Oslo?"],
      ]);
      expect(toolCallsOf(llms[0].output)).toEqual([["weather", { city: "Oslo" }]]);
      expect(messagesOf(llms[1].output)).toEqual([["assistant", "Oslo: rain, 7°C."]]);
      const [toolSpan] = ofType(page, "tool_call");
      expect(toolSpan.name).toBe("weather");
      expect(JSON.stringify(toolSpan.input)).toContain("Oslo");
      expect(JSON.stringify(toolSpan.output)).toContain("rain in Oslo");
      expect(page.execution.hasConversation).toBe(true);
    });
  });

  describe("OpenAI Agents SDK (@openai/agents, @arizeai/openinference-instrumentation-openai-agents)", () => {
    beforeAll(() => {
      new OpenAIAgentsInstrumentation({ tracerProvider: tracing.provider }).manuallyInstrument(agents);
      agents.setTracingDisabled(false); // the SDK turns tracing off when NODE_ENV is "test"
      agents.setDefaultOpenAIClient(new OpenAI({ apiKey: "sk-test", baseURL: model.url, maxRetries: 0 }) as never);
      agents.setOpenAIAPI("chat_completions");
    });

    it("an agent run with a tool: agent, LLM calls and the function tool", async () => {
      model.reply(
        {
          toolCalls: [{ id: "call_ag", name: "weather", arguments: '{"city":"Rome"}' }],
          usage: { prompt: 60, completion: 12 },
        },
        { content: "Rome is hot: 31°C.", usage: { prompt: 90, completion: 8 } },
      );
      const weather = agents.tool({
        name: "weather",
        description: "The weather in a city",
        parameters: z.object({ city: z.string() }),
        execute: async ({ city }) => `hot in ${city}, 31°C`,
      });
      const agent = new agents.Agent({
        name: "Weather agent",
        instructions: "You answer weather questions.",
        model: "gpt-4o-mini",
        tools: [weather],
      });
      const result = await agents.run(agent, "Weather in Rome?");
      expect(result.finalOutput).toBe("Rome is hot: 31°C.");

      const page = await exported();
      expect(page.execution, outline(page).join("\n")).toMatchObject({
        status: "success",
        tokens: { input: 150, output: 20, total: 170 },
      });
      expect(ofType(page, "agent_execution").map((s) => s.name)).toContain("Weather agent");
      const llms = ofType(page, "llm_call");
      expect(llms).toHaveLength(2);
      for (const s of llms) expect(s.llm?.model).toBe("gpt-4o-mini");
      expect(messagesOf(llms[0].input)).toEqual([
        ["system", "You answer weather questions."],
        ["user", "Weather in Rome?"],
      ]);
      expect(toolCallsOf(llms[0].output)).toEqual([["weather", { city: "Rome" }]]);
      expect(messagesOf(llms[1].output)).toEqual([["assistant", "Rome is hot: 31°C."]]);
      const [toolSpan] = ofType(page, "tool_call");
      expect(toolSpan.name).toBe("weather");
      expect(JSON.stringify(toolSpan.input)).toContain("Rome");
      expect(JSON.stringify(toolSpan.output)).toContain("hot in Rome");
    });
  });

  describe("GenAI message events through the OTLP log exporter (@opentelemetry/sdk-logs)", () => {
    it("records emitted inside an LLM span are found as that span's messages", async () => {
      const logging = startLogging(otlp.url, key, "clients-app");
      const logger = logging.getLogger("opentelemetry.instrumentation.openai_v2");
      const tracer = tracing.provider.getTracer("opentelemetry.instrumentation.openai_v2");
      tracer.startActiveSpan(
        "chat gpt-4o-mini",
        {
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.usage.input_tokens": 14,
            "gen_ai.usage.output_tokens": 5,
            "gen_ai.conversation.id": "conv-logs-1",
          },
        },
        (span) => {
          const emit = (eventName: string, body: Record<string, unknown>) =>
            logger.emit({ eventName, body: body as never, context: context.active() });
          emit("gen_ai.system.message", { content: "You are terse." });
          emit("gen_ai.user.message", { content: "Capital of France?" });
          emit("gen_ai.choice", { index: 0, finish_reason: "stop", message: { content: "Paris." } });
          span.end();
        },
      );
      const traceId = await tracing.flushRun();
      await logging.forceFlush();
      await logging.shutdown();
      const page = await seen(traceId, key);
      const llm = page.traces.find((s) => s.type === "llm_call");
      expect(llm, outline(page).join("\n")).toMatchObject({
        name: "chat gpt-4o-mini",
        llm: { model: "gpt-4o-mini", provider: "openai", usage: { totalTokens: 19 } },
      });
      const messages = page.traces.filter((s) => s.type === "conversation_message" && s.parentId === llm?.id);
      expect(messages.map((m) => [m.message?.role, textOf(m.message?.content)])).toEqual([
        ["system", "You are terse."],
        ["user", "Capital of France?"],
        ["assistant", "Paris."],
      ]);
      expect(page.execution).toMatchObject({ threadId: "conv-logs-1", hasConversation: true });
      expect(trace.getActiveSpan()).toBeUndefined();
    });
  });
});
