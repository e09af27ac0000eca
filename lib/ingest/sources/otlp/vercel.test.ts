import { describe, expect, it } from "vitest";
import { isChatMessages } from "../../../contracts/messages";
import { readVercel } from "./vercel";

/** Attributes as AI SDK 4 (generateText with a tool, `experimental_telemetry`) sets them. */
const telemetry = {
  "ai.model.id": "gpt-4o-mini",
  "ai.model.provider": "openai.chat",
  "ai.settings.maxRetries": 2,
  "ai.telemetry.functionId": "support-reply",
  "ai.telemetry.metadata.sessionId": "sess-1",
  "ai.telemetry.metadata.userId": "u-7",
  "resource.name": "support-reply",
};

describe("Vercel AI SDK convention", () => {
  it("a generateText call is an agent run named by its functionId, prompt as messages with the system first", () => {
    const r = readVercel(
      {
        ...telemetry,
        "operation.name": "ai.generateText support-reply",
        "ai.operationId": "ai.generateText",
        "ai.settings.maxSteps": 5,
        "ai.prompt": JSON.stringify({ system: "You are helpful.", prompt: "Weather in Paris?" }),
        "ai.response.text": "It is sunny in Paris.",
        "ai.response.finishReason": "stop",
        "ai.usage.promptTokens": 200,
        "ai.usage.completionTokens": 42,
      },
      [],
    );
    expect(r).toMatchObject({
      type: "agent_execution",
      name: "support-reply",
      model: "gpt-4o-mini",
      provider: "openai",
      input: [
        { role: "system", parts: [{ type: "text", text: "You are helpful." }] },
        { role: "user", parts: [{ type: "text", text: "Weather in Paris?" }] },
      ],
      output: [{ role: "assistant", parts: [{ type: "text", text: "It is sunny in Paris." }], finishReason: "stop" }],
      context: { sessionId: "sess-1", userId: "u-7" },
      config: { maxRetries: 2, maxSteps: 5 },
    });
    // The call's totals repeat its provider calls': only those carry token columns.
    expect(r.usage).toBeUndefined();
    expect(isChatMessages(r.input)).toBe(true);
  });

  it("without a functionId the call is named by its operation", () => {
    const r = readVercel({ "ai.operationId": "ai.streamText", "ai.prompt": '{"prompt":"hi"}' }, []);
    expect(r.name).toBe("streamText");
  });

  it("doGenerate is the LLM call: messages with tool calls and results, tools, usage, finish reason", () => {
    const r = readVercel(
      {
        ...telemetry,
        "ai.operationId": "ai.generateText.doGenerate",
        "ai.prompt.format": "messages",
        "ai.prompt.messages": JSON.stringify([
          { role: "system", content: "You are helpful." },
          { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
          {
            role: "assistant",
            content: [{ type: "tool-call", toolCallId: "call_1", toolName: "weather", args: { city: "Paris" } }],
          },
          {
            role: "tool",
            content: [{ type: "tool-result", toolCallId: "call_1", toolName: "weather", result: { temp: 21 } }],
          },
        ]),
        "ai.prompt.tools": [
          JSON.stringify({ type: "function", name: "weather", description: "Get the weather", parameters: {} }),
        ],
        "ai.prompt.toolChoice": '{"type":"auto"}',
        "ai.response.text": "Sunny, 21°C.",
        "ai.response.finishReason": "stop",
        "ai.response.model": "gpt-4o-mini-2024-07-18",
        "ai.usage.promptTokens": 120,
        "ai.usage.completionTokens": 9,
        "gen_ai.system": "openai.chat",
        "gen_ai.request.model": "gpt-4o-mini",
      },
      [],
    );
    expect(r).toMatchObject({
      type: "llm_call",
      name: "generateText.doGenerate",
      model: "gpt-4o-mini-2024-07-18",
      provider: "openai",
      usage: { input: 120, output: 9 },
      finishReasons: ["stop"],
      tools: [{ type: "function", name: "weather", description: "Get the weather", parameters: {} }],
    });
    expect(r.input).toEqual([
      { role: "system", parts: [{ type: "text", text: "You are helpful." }] },
      { role: "user", parts: [{ type: "text", text: "Weather in Paris?" }] },
      {
        role: "assistant",
        parts: [{ type: "tool_call", id: "call_1", name: "weather", arguments: { city: "Paris" } }],
      },
      { role: "tool", parts: [{ type: "tool_result", id: "call_1", name: "weather", result: { temp: 21 } }] },
    ]);
  });

  it("AI SDK 5: input/output token names, cached and reasoning tokens, tool-call input, wrapped tool output", () => {
    const r = readVercel(
      {
        "ai.operationId": "ai.streamText.doStream",
        "ai.model.id": "o4-mini",
        "ai.model.provider": "openai.responses",
        "ai.prompt.messages": JSON.stringify([
          {
            role: "tool",
            content: [
              {
                type: "tool-result",
                toolCallId: "c2",
                toolName: "lookup",
                output: { type: "json", value: { ok: true } },
              },
            ],
          },
        ]),
        "ai.response.toolCalls": JSON.stringify([
          { type: "tool-call", toolCallId: "c3", toolName: "lookup", input: '{"id":42}' },
        ]),
        "ai.response.finishReason": "tool-calls",
        "ai.response.msToFirstChunk": 312.5,
        "ai.usage.inputTokens": 50,
        "ai.usage.outputTokens": 20,
        "ai.usage.totalTokens": 70,
        "ai.usage.reasoningTokens": 12,
        "ai.usage.cachedInputTokens": 32,
      },
      [],
    );
    expect(r).toMatchObject({
      type: "llm_call",
      provider: "openai",
      usage: { input: 50, output: 20, total: 70, reasoning: 12, cacheRead: 32 },
      timeToFirstTokenMs: 312.5,
      input: [{ role: "tool", parts: [{ type: "tool_result", id: "c2", result: { ok: true } }] }],
      output: [
        {
          role: "assistant",
          parts: [{ type: "tool_call", id: "c3", name: "lookup", arguments: { id: 42 } }],
          finishReason: "tool-calls",
        },
      ],
    });
  });

  it("AI SDK 3.x names: ai.result.*, ai.finishReason, ai.stream.msToFirstChunk on the firstChunk event", () => {
    const r = readVercel(
      {
        "ai.operationId": "ai.streamText.doStream",
        "ai.result.text": "Hello",
        "ai.finishReason": "stop",
        "ai.usage.promptTokens": 3,
        "ai.usage.completionTokens": 1,
      },
      [{ name: "ai.stream.firstChunk", attrs: { "ai.stream.msToFirstChunk": 88 } }],
    );
    expect(r).toMatchObject({
      output: [{ role: "assistant", parts: [{ type: "text", text: "Hello" }], finishReason: "stop" }],
      finishReasons: ["stop"],
      timeToFirstTokenMs: 88,
    });
  });

  it("a tool call span is a tool_call named by the tool, with parsed arguments and result", () => {
    const r = readVercel(
      {
        ...telemetry,
        "ai.operationId": "ai.toolCall",
        "ai.toolCall.name": "weather",
        "ai.toolCall.id": "call_1",
        "ai.toolCall.args": '{"city":"Paris"}',
        "ai.toolCall.result": '{"temp":21}',
      },
      [],
    );
    expect(r).toMatchObject({ type: "tool_call", name: "weather", input: { city: "Paris" }, output: { temp: 21 } });
    expect(r.model).toBeUndefined();
  });

  it("generateObject: the object is the assistant's text", () => {
    const r = readVercel({ "ai.operationId": "ai.generateObject", "ai.response.object": '{"name":"Ada"}' }, []);
    expect(r.output).toEqual([{ role: "assistant", parts: [{ type: "text", text: '{"name":"Ada"}' }] }]);
  });

  it("embedMany: the values embedded, a summary of the vectors, tokens on doEmbed only", () => {
    const outer = readVercel(
      { "ai.operationId": "ai.embedMany", "ai.values": ['"sunny day"', '"rainy day"'], "ai.usage.tokens": 8 },
      [],
    );
    expect(outer).toMatchObject({ name: "embedMany", input: ["sunny day", "rainy day"] });
    expect(outer.type).toBeUndefined();
    expect(outer.usage).toBeUndefined();
    const inner = readVercel(
      {
        "ai.operationId": "ai.embedMany.doEmbed",
        "ai.model.id": "text-embedding-3-small",
        "ai.values": ['"sunny day"', '"rainy day"'],
        "ai.embeddings": ["[0.1,0.2,0.3]", "[0.4,0.5,0.6]"],
        "ai.usage.tokens": 8,
      },
      [],
    );
    expect(inner).toMatchObject({
      type: "embedding",
      model: "text-embedding-3-small",
      usage: { input: 8 },
      output: { embeddings: 2, dimensions: 3 },
    });
  });

  it("metadata threadId is the thread; other metadata is left to the span's attributes", () => {
    const r = readVercel(
      {
        "ai.operationId": "ai.generateText",
        "ai.telemetry.metadata.threadId": "t-1",
        "ai.telemetry.metadata.plan": "pro",
      },
      [],
    );
    expect(r.context).toEqual({ threadId: "t-1" });
  });

  it("malformed attributes are skipped, not thrown on", () => {
    const r = readVercel(
      {
        "ai.operationId": "ai.generateText.doGenerate",
        "ai.prompt.messages": "[{not json",
        "ai.response.toolCalls": 42,
        "ai.prompt.tools": "nope",
        "ai.usage.promptTokens": "many",
        "ai.usage.completionTokens": -3,
        "ai.telemetry.metadata.sessionId": { nested: true },
      },
      [],
    );
    expect(r.type).toBe("llm_call");
    expect(r.input).toBeUndefined();
    expect(r.output).toBeUndefined();
    expect(r.usage).toEqual({});
    expect(r.context).toEqual({});
  });

  it("spans without ai.operationId are not this family's", () => {
    expect(readVercel({ "gen_ai.system": "openai" }, [])).toEqual({});
  });
});
