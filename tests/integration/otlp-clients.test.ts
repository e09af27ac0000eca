import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { setSession } from "@arizeai/openinference-core";
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
import { withAppDb } from "../helpers/app";
import { type OpenAIStandIn, startOpenAIStandIn } from "../helpers/openai-stand-in";
import {
  chatOf,
  messagesOf,
  ofType,
  outline,
  seen,
  startLogging,
  startOtlpServer,
  startTracing,
  type Tracing,
  textOf,
  toolCallsOf,
  toolResultsOf,
} from "../helpers/otel-clients";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * Real GenAI frameworks (the npm packages users run, instrumented as their docs say) exporting
 * through the standard OTLP/protobuf exporters to the portal's routes, with a local
 * OpenAI-compatible stand-in for the model: each test asserts what that framework's user sees
 * through the read API (names, types, model and provider, tokens on span and execution, the
 * messages with their roles, tools with arguments and results, errors, the thread, the chat).
 */

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
      expect(page.execution, outline(page)).toMatchObject({
        name: "weather-assistant",
        agent: "clients-app",
        status: "success",
        threadId: "sess-ai-1",
        sessionId: "sess-ai-1",
        identify: { type: "user", value: "user-7" },
        hasConversation: true,
        tokens: { input: 60, output: 16, total: 76 },
      });
      const llms = ofType(page, "llm_call");
      expect(llms.map((s) => [s.name, s.llm?.model, s.llm?.provider, s.llm?.usage])).toEqual([
        ["generateText.doGenerate", "gpt-4o-mini", "standin", { inputTokens: 20, outputTokens: 7, totalTokens: 27 }],
        ["generateText.doGenerate", "gpt-4o-mini", "standin", { inputTokens: 40, outputTokens: 9, totalTokens: 49 }],
      ]);
      expect(messagesOf(llms[0].input)).toEqual([
        ["system", "You are a weather assistant."],
        ["user", "What is the weather in Paris?"],
      ]);
      expect(toolCallsOf(llms[0].output)).toEqual([["weather", { city: "Paris" }]]);
      expect(toolResultsOf(llms[1].input)).toEqual([["call_1", { city: "Paris", forecast: "sunny", celsius: 21 }]]);
      expect(messagesOf(llms[1].output)).toEqual([["assistant", "It is sunny in Paris, 21°C."]]);
      expect(ofType(page, "tool_call")).toMatchObject([
        {
          name: "weather",
          status: "success",
          input: { city: "Paris" },
          output: { city: "Paris", forecast: "sunny", celsius: 21 },
        },
      ]);
      // The chat: the turns as lived (each once, the tool call among them), linked to their call.
      expect(chatOf(page)).toEqual([
        ["system", "You are a weather assistant.", "generateText.doGenerate"],
        ["user", "What is the weather in Paris?", "generateText.doGenerate"],
        ["assistant", 'weather({"city":"Paris"})', "generateText.doGenerate"],
        ["tool", '-> {"city":"Paris","celsius":21,"forecast":"sunny"}', "generateText.doGenerate"],
        ["assistant", "It is sunny in Paris, 21°C.", "generateText.doGenerate"],
      ]);
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
      expect(page.execution, outline(page)).toMatchObject({
        name: "streamer",
        status: "success",
        threadId: "thread-s",
        hasConversation: true,
        tokens: { input: 11, output: 4, total: 15 },
      });
      const [llm] = ofType(page, "llm_call");
      expect(llm).toMatchObject({
        name: "streamText.doStream",
        llm: {
          model: "gpt-4o-mini",
          provider: "standin",
          usage: { inputTokens: 11, outputTokens: 4, totalTokens: 15 },
          timeToFirstTokenMs: expect.any(Number),
        },
      });
      expect(messagesOf(llm.input)).toEqual([["user", "Say something"]]);
      expect(messagesOf(llm.output)).toEqual([["assistant", "Streaming works fine."]]);
      expect(chatOf(page)).toEqual([
        ["user", "Say something", "streamText.doStream"],
        ["assistant", "Streaming works fine.", "streamText.doStream"],
      ]);
    });

    it("a model error is the run's error and the LLM call's, with the provider's message", async () => {
      model.reply({ status: 400, error: "The model `gpt-4o-mini` is overloaded." });
      await expect(
        generateText({
          model: standIn()("gpt-4o-mini"),
          prompt: "Hi",
          maxRetries: 0,
          experimental_telemetry: { isEnabled: true, functionId: "failing-call", metadata: { sessionId: "sess-ai-2" } },
        }),
      ).rejects.toThrow(/overloaded/);
      const page = await exported();
      expect(page.execution, outline(page)).toMatchObject({
        name: "failing-call",
        status: "error",
        threadId: "sess-ai-2",
      });
      expect(page.execution.error).toMatchObject({ message: "The model `gpt-4o-mini` is overloaded." });
      const [llm] = ofType(page, "llm_call");
      expect(llm).toMatchObject({
        name: "generateText.doGenerate",
        status: "error",
        error: { message: "The model `gpt-4o-mini` is overloaded." },
      });
    });
  });

  describe("LangChain.js (@arizeai/openinference-instrumentation-langchain)", () => {
    beforeAll(() => {
      new LangChainInstrumentation({ tracerProvider: tracing.provider }).manuallyInstrument(CallbackManagerModule);
    });
    const chatModel = () =>
      new ChatOpenAI({ model: "gpt-4o-mini", apiKey: "sk-test", configuration: { baseURL: model.url }, maxRetries: 0 });

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
      const llm = chatModel().bindTools([weather]);
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
      expect(page.execution, outline(page)).toMatchObject({
        name: "weather-chain",
        status: "success",
        sessionId: "sess-lc-1",
        threadId: "sess-lc-1",
        hasConversation: true,
        tokens: { input: 80, output: 14, total: 94 },
      });
      const llms = ofType(page, "llm_call");
      expect(llms.map((s) => [s.name, s.llm?.model, s.llm?.provider, s.llm?.usage])).toEqual([
        ["ChatOpenAI", "gpt-4o-mini", "openai", { inputTokens: 30, outputTokens: 8, totalTokens: 38 }],
        ["ChatOpenAI", "gpt-4o-mini", "openai", { inputTokens: 50, outputTokens: 6, totalTokens: 56 }],
      ]);
      expect(messagesOf(llms[0].input)).toEqual([
        ["system", "You answer weather questions."],
        ["user", "Weather in Oslo?"],
      ]);
      expect(toolCallsOf(llms[0].output)).toEqual([["weather", { city: "Oslo" }]]);
      // The instrumentation writes no tool call ids in messages (dist/src/utils.js parseMessage):
      // the tool's answer is a tool turn with its text.
      expect(messagesOf(llms[1].input)).toEqual([
        ["system", "You answer weather questions."],
        ["user", "Weather in Oslo?"],
        ["assistant", ""],
        ["tool", "rain in Oslo, 7°C"],
      ]);
      expect(messagesOf(llms[1].output)).toEqual([["assistant", "Oslo: rain, 7°C."]]);
      // The tool: its argument in (the instrumentation's formatIO writes a run input of one string
      // value as that text: `{city: "Oslo"}` arrives as "Oslo"), its ToolMessage out.
      const tools = ofType(page, "tool_call");
      expect(
        tools.map((s) => [s.name, s.status, s.input, toolResultsOf([(s.output as { output: unknown }).output])]),
      ).toEqual([["weather", "success", "Oslo", [["call_lc", "rain in Oslo, 7°C"]]]]);
      expect(chatOf(page)).toEqual([
        ["system", "You answer weather questions.", "ChatOpenAI"],
        ["user", "Weather in Oslo?", "ChatOpenAI"],
        ["assistant", 'weather({"city":"Oslo"})', "ChatOpenAI"],
        ["tool", "rain in Oslo, 7°C", "ChatOpenAI"],
        ["assistant", "Oslo: rain, 7°C.", "ChatOpenAI"],
      ]);
    });

    it("a chat model call the API rejects: the LLM span and the chain are errors with the API's message", async () => {
      model.reply({ status: 400, error: "The model `gpt-4o-mini` is overloaded." });
      const llm = chatModel();
      const chain = RunnableLambda.from(async (question: string, config) => {
        const answer = await llm.invoke([{ role: "user", content: question }], config);
        return answer.content as string;
      }).withConfig({ runName: "failing-chain" });
      await expect(chain.invoke("Hi", { metadata: { session_id: "sess-lc-2" } })).rejects.toThrow(/overloaded/);

      const page = await exported();
      expect(page.execution, outline(page)).toMatchObject({
        name: "failing-chain",
        status: "error",
        threadId: "sess-lc-2",
      });
      expect(page.execution.error).toMatchObject({ message: "400 The model `gpt-4o-mini` is overloaded." });
      const [llmSpan] = ofType(page, "llm_call");
      expect(llmSpan).toMatchObject({
        name: "ChatOpenAI",
        status: "error",
        error: { message: "400 The model `gpt-4o-mini` is overloaded.", stack: expect.stringMatching(/^Error: 400/) },
      });
    });
  });

  describe("OpenAI Agents SDK (@openai/agents, @arizeai/openinference-instrumentation-openai-agents)", () => {
    beforeAll(() => {
      new OpenAIAgentsInstrumentation({ tracerProvider: tracing.provider }).manuallyInstrument(agents);
      agents.setTracingDisabled(false); // the SDK turns tracing off when NODE_ENV is "test"
      agents.setDefaultOpenAIClient(new OpenAI({ apiKey: "sk-test", baseURL: model.url, maxRetries: 0 }) as never);
      agents.setOpenAIAPI("chat_completions");
    });
    const weather = agents.tool({
      name: "weather",
      description: "The weather in a city",
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => `hot in ${city}, 31°C`,
    });
    const weatherAgent = () =>
      new agents.Agent({
        name: "Weather agent",
        instructions: "You answer weather questions.",
        model: "gpt-4o-mini",
        tools: [weather],
      });
    /**
     * The conversation: OpenInference's session (`setSession`), which its processor's tracer copies
     * onto every span it writes. The run's own `groupId` and `traceMetadata` are not exported by the
     * instrumentation (0.2.15: `onTraceStart` writes the trace's name only).
     */
    const inSession = <T>(sessionId: string, fn: () => Promise<T>) =>
      context.with(setSession(context.active(), { sessionId }), fn);

    it("an agent run with a tool in a session: the workflow, the agent, LLM calls, the function tool, the chat", async () => {
      model.reply(
        {
          toolCalls: [{ id: "call_ag", name: "weather", arguments: '{"city":"Rome"}' }],
          usage: { prompt: 60, completion: 12 },
        },
        { content: "Rome is hot: 31°C.", usage: { prompt: 90, completion: 8 } },
      );
      const runner = new agents.Runner({ workflowName: "Weather workflow", groupId: "chat-ag-1" });
      const result = await inSession("sess-ag-1", () => runner.run(weatherAgent(), "Weather in Rome?"));
      expect(result.finalOutput).toBe("Rome is hot: 31°C.");

      const page = await exported();
      expect(page.execution, outline(page)).toMatchObject({
        name: "Weather workflow",
        type: "agent_execution",
        status: "success",
        sessionId: "sess-ag-1",
        threadId: "sess-ag-1",
        hasConversation: true,
        tokens: { input: 150, output: 20, total: 170 },
      });
      expect(ofType(page, "agent_execution").map((s) => s.name)).toEqual(["Weather workflow", "Weather agent"]);
      const llms = ofType(page, "llm_call");
      // "generation": the agents SDK's own name for a model call (its span type).
      expect(llms.map((s) => [s.name, s.llm?.model, s.llm?.provider, s.llm?.usage])).toEqual([
        ["generation", "gpt-4o-mini", "openai", { inputTokens: 60, outputTokens: 12, totalTokens: 72 }],
        ["generation", "gpt-4o-mini", "openai", { inputTokens: 90, outputTokens: 8, totalTokens: 98 }],
      ]);
      expect(messagesOf(llms[0].input)).toEqual([
        ["system", "You answer weather questions."],
        ["user", "Weather in Rome?"],
      ]);
      expect(toolCallsOf(llms[0].output)).toEqual([["weather", { city: "Rome" }]]);
      expect(toolResultsOf(llms[1].input)).toEqual([["call_ag", "hot in Rome, 31°C"]]);
      expect(messagesOf(llms[1].output)).toEqual([["assistant", "Rome is hot: 31°C."]]);
      expect(ofType(page, "tool_call")).toMatchObject([
        { name: "weather", status: "success", input: { city: "Rome" }, output: "hot in Rome, 31°C" },
      ]);
      expect(chatOf(page)).toEqual([
        ["system", "You answer weather questions.", "generation"],
        ["user", "Weather in Rome?", "generation"],
        ["assistant", 'weather({"city":"Rome"})', "generation"],
        ["tool", "-> hot in Rome, 31°C", "generation"],
        ["assistant", "Rome is hot: 31°C.", "generation"],
      ]);
    });

    it("a model call the API rejects: the LLM call, the agent and the run are errors with the API's message", async () => {
      model.reply({ status: 400, error: "The model `gpt-4o-mini` is overloaded." });
      const runner = new agents.Runner({ workflowName: "Failing workflow" });
      await expect(inSession("sess-ag-2", () => runner.run(weatherAgent(), "Hi"))).rejects.toThrow(/overloaded/);
      // The trace's root span is never ended on an error: the processor ends it in `onTraceEnd`,
      // which the SDK does not call when a run throws, or in
      // `endDanglingRootSpanOnTopLevelAgentError` (dist/src/processor.js) for an agent span whose
      // parent is the root; since @openai/agents 0.14 the top agent's parent is the run's `task`
      // span. Every other span is ended and exported: the task span leads the execution.
      const traces = await tracing.flushEnded();
      expect(tracing.open.names()).toEqual(["Failing workflow"]);
      expect(traces).toHaveLength(1);
      const page = await seen(traces[0], key);
      // The execution takes its root from what arrived: the agent (docs/sources/otlp.md).
      expect(page.execution, outline(page)).toMatchObject({
        name: "Weather agent",
        status: "error",
        threadId: "sess-ag-2",
      });
      expect(page.traces[0]).toMatchObject({ type: "custom_event", name: "Failing workflow", status: "error" });
      expect(JSON.stringify(page.execution.error)).toMatch(/400 The model `gpt-4o-mini` is overloaded\./);
      expect(ofType(page, "agent_execution")).toMatchObject([{ name: "Weather agent", status: "error" }]);
      expect(ofType(page, "llm_call")).toMatchObject([
        {
          name: "generation",
          status: "error",
          llm: { model: "gpt-4o-mini" },
          error: { message: "400 The model `gpt-4o-mini` is overloaded." },
        },
      ]);
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
      expect(llm, outline(page)).toMatchObject({
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
