import { describe, expect, it } from "vitest";
import { isGenAiMessageEvent, readGenAi } from "./genai";

describe("OpenTelemetry GenAI convention (current)", () => {
  /** A chat span as the GenAI conventions (v1.37+) describe it, content capture on. */
  const chat = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o",
    "gen_ai.response.model": "gpt-4o-2024-08-06",
    "gen_ai.request.temperature": 0.2,
    "gen_ai.request.max_tokens": 200,
    "gen_ai.response.finish_reasons": ["tool_call"],
    "gen_ai.conversation.id": "conv-1",
    "gen_ai.usage.input_tokens": 97,
    "gen_ai.usage.output_tokens": 52,
    "gen_ai.usage.cache_read.input_tokens": 64,
    "gen_ai.usage.reasoning.output_tokens": 12,
    "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "You are a weather bot." }]),
    "gen_ai.tool.definitions": JSON.stringify([
      { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object" } },
    ]),
    "gen_ai.input.messages": JSON.stringify([
      {
        role: "user",
        parts: [
          { type: "text", content: "Weather in Paris? See the photo." },
          { type: "uri", modality: "image", mime_type: "image/png", uri: "https://example.com/paris.png" },
          { type: "blob", modality: "audio", mime_type: "audio/wav", content: "UklGRg==" },
          { type: "file", modality: "document", file_id: "file-abc" },
        ],
      },
      {
        role: "assistant",
        parts: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: { city: "Paris" } }],
      },
      { role: "tool", parts: [{ type: "tool_call_response", id: "call_1", response: "rainy, 57°F" }] },
    ]),
    "gen_ai.output.messages": JSON.stringify([
      {
        role: "assistant",
        parts: [
          { type: "reasoning", content: "The user wants the weather." },
          { type: "text", content: "It is rainy." },
        ],
        finish_reason: "stop",
      },
    ]),
  };

  it("reads type, model, provider, config, usage with cached and reasoning tokens, tools, finish reasons, conversation", () => {
    const r = readGenAi(chat, []);
    expect(r).toMatchObject({
      type: "llm_call",
      model: "gpt-4o-2024-08-06",
      provider: "openai",
      operation: "chat",
      config: { temperature: 0.2, max_tokens: 200 },
      usage: { input: 97, output: 52, cacheRead: 64, reasoning: 12 },
      tools: [{ type: "function", name: "get_weather", description: "Weather", parameters: { type: "object" } }],
      finishReasons: ["tool_call"],
      context: { threadId: "conv-1" },
    });
  });

  it("messages in the parts format, system instructions as the leading system turn", () => {
    const r = readGenAi(chat, []);
    expect(r.input).toEqual([
      { role: "system", parts: [{ type: "text", text: "You are a weather bot." }] },
      {
        role: "user",
        parts: [
          { type: "text", text: "Weather in Paris? See the photo." },
          { type: "media", modality: "image", mimeType: "image/png", uri: "https://example.com/paris.png" },
          { type: "media", modality: "audio", mimeType: "audio/wav", data: "UklGRg==" },
          { type: "media", modality: "document", fileId: "file-abc" },
        ],
      },
      {
        role: "assistant",
        parts: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: { city: "Paris" } }],
      },
      { role: "tool", parts: [{ type: "tool_result", id: "call_1", result: "rainy, 57°F" }] },
    ]);
    expect(r.output).toEqual([
      {
        role: "assistant",
        parts: [
          { type: "reasoning", text: "The user wants the weather." },
          { type: "text", text: "It is rainy." },
        ],
        finishReason: "stop",
      },
    ]);
  });

  it("plain-text system instructions lead too, unless the messages already start with a system turn", () => {
    const text = readGenAi(
      { "gen_ai.operation.name": "chat", "gen_ai.system_instructions": "Be brief.", "gen_ai.input.messages": "[]" },
      [],
    );
    expect(text.input).toEqual([{ role: "system", parts: [{ type: "text", text: "Be brief." }] }]);
    const both = readGenAi(
      {
        "gen_ai.operation.name": "chat",
        "gen_ai.system_instructions": "Be brief.",
        "gen_ai.input.messages": '[{"role":"system","parts":[{"type":"text","content":"Be brief."}]}]',
      },
      [],
    );
    expect(both.input).toHaveLength(1);
  });

  it.each([
    ["chat", "llm_call"],
    ["text_completion", "llm_call"],
    ["generate_content", "llm_call"],
    ["embeddings", "embedding"],
    ["execute_tool", "tool_call"],
    ["invoke_agent", "agent_execution"],
    ["create_agent", "agent_execution"],
  ])("operation %s is type %s", (op, type) => {
    expect(readGenAi({ "gen_ai.operation.name": op }, []).type).toBe(type);
  });

  it("execute_tool: arguments and result are the input and output", () => {
    const r = readGenAi(
      {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "get_weather",
        "gen_ai.tool.call.id": "call_1",
        "gen_ai.tool.call.arguments": '{"city":"Paris"}',
        "gen_ai.tool.call.result": '{"temp":14}',
      },
      [],
    );
    expect(r).toMatchObject({ type: "tool_call", input: { city: "Paris" }, output: { temp: 14 } });
  });
});

describe("OpenTelemetry GenAI convention (older)", () => {
  it("indexed gen_ai.prompt.N / gen_ai.completion.N with tool calls and tool results (OpenLLMetry)", () => {
    const r = readGenAi(
      {
        "gen_ai.system": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.prompt_tokens": 40,
        "gen_ai.usage.completion_tokens": 8,
        "gen_ai.usage.cache_read_input_tokens": 16,
        "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": "Weather?",
        "gen_ai.prompt.1.role": "assistant",
        "gen_ai.prompt.1.tool_calls.0.id": "c1",
        "gen_ai.prompt.1.tool_calls.0.name": "weather",
        "gen_ai.prompt.1.tool_calls.0.arguments": '{"city":"Oslo"}',
        "gen_ai.prompt.2.role": "tool",
        "gen_ai.prompt.2.tool_call_id": "c1",
        "gen_ai.prompt.2.content": "snow",
        "gen_ai.prompt.3.role": "user",
        "gen_ai.prompt.3.content":
          '[{"type":"text","text":"And this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBO"}}]',
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": "Snowy.",
        "gen_ai.completion.0.finish_reason": "stop",
      },
      [],
    );
    expect(r).toMatchObject({ type: "llm_call", provider: "openai", usage: { input: 40, output: 8, cacheRead: 16 } });
    expect(r.input).toEqual([
      { role: "user", parts: [{ type: "text", text: "Weather?" }] },
      { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "weather", arguments: { city: "Oslo" } }] },
      { role: "tool", parts: [{ type: "tool_result", id: "c1", result: "snow" }] },
      {
        role: "user",
        parts: [
          { type: "text", text: "And this?" },
          { type: "media", modality: "image", mimeType: "image/png", uri: "data:image/png;base64,iVBO" },
        ],
      },
    ]);
    expect(r.output).toEqual([{ role: "assistant", parts: [{ type: "text", text: "Snowy." }], finishReason: "stop" }]);
  });

  it("message span events: gen_ai.{system,user,assistant,tool}.message and gen_ai.choice", () => {
    const events = [
      { name: "gen_ai.system.message", attrs: { "gen_ai.system": "openai", content: "Be brief." } },
      { name: "gen_ai.user.message", attrs: { content: "Weather?" } },
      {
        name: "gen_ai.assistant.message",
        attrs: {
          tool_calls: JSON.stringify([
            { id: "c1", type: "function", function: { name: "weather", arguments: '{"c":1}' } },
          ]),
        },
      },
      { name: "gen_ai.tool.message", attrs: { id: "c1", content: "sunny" } },
      {
        name: "gen_ai.choice",
        attrs: { index: 0, finish_reason: "stop", message: JSON.stringify({ role: "assistant", content: "Sunny." }) },
      },
    ];
    expect(events.every((e) => isGenAiMessageEvent(e.name))).toBe(true);
    const r = readGenAi({ "gen_ai.operation.name": "chat" }, events);
    expect(r.input).toEqual([
      { role: "system", parts: [{ type: "text", text: "Be brief." }] },
      { role: "user", parts: [{ type: "text", text: "Weather?" }] },
      { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "weather", arguments: { c: 1 } }] },
      { role: "tool", parts: [{ type: "tool_result", id: "c1", result: "sunny" }] },
    ]);
    expect(r.output).toEqual([{ role: "assistant", parts: [{ type: "text", text: "Sunny." }], finishReason: "stop" }]);
  });

  it("an event body in gen_ai.event.content (as some SDKs write it) is read too", () => {
    const r = readGenAi({ "gen_ai.operation.name": "chat" }, [
      { name: "gen_ai.user.message", attrs: { "gen_ai.event.content": '{"role":"user","content":"hello"}' } },
    ]);
    expect(r.input).toEqual([{ role: "user", parts: [{ type: "text", text: "hello" }] }]);
  });

  it("malformed: messages that are not JSON, parts of the wrong type, usage that is not a count", () => {
    const r = readGenAi(
      {
        "gen_ai.operation.name": "chat",
        "gen_ai.input.messages": "[{oops",
        "gen_ai.output.messages": JSON.stringify([
          { role: "assistant", parts: "not a list" },
          7,
          { role: 3, parts: [null, { type: 9 }] },
        ]),
        "gen_ai.usage.input_tokens": "NaN",
        "gen_ai.usage.output_tokens": 2 ** 60,
        "gen_ai.response.finish_reasons": 5,
        "gen_ai.tool.definitions": "{}",
      },
      [],
    );
    expect(r.type).toBe("llm_call");
    // "[{oops" is not a message list: the input falls to the other sources (none here).
    expect(r.input).toBeUndefined();
    expect(r.output).toEqual([
      { role: "assistant", parts: [{ type: "text", text: "not a list" }] },
      { role: "assistant", parts: [{ type: "text", text: '{"type":9}' }] },
    ]);
    expect(r.usage).toEqual({});
    expect(r.finishReasons).toBeUndefined();
    expect(r.tools).toBeUndefined();
  });
});

describe("client-sent cost", () => {
  it("gen_ai.usage.cost is read as the call's cost; a negative or non-numeric one is dropped", () => {
    const base = { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o" };
    expect(readGenAi({ ...base, "gen_ai.usage.cost": 0.0123 }, []).cost).toBe(0.0123);
    expect(readGenAi({ ...base, "gen_ai.usage.cost": "0.5" }, []).cost).toBe(0.5);
    expect(readGenAi({ ...base, "gen_ai.usage.cost": -1 }, []).cost).toBeUndefined();
    expect(readGenAi({ ...base, "gen_ai.usage.cost": "cheap" }, []).cost).toBeUndefined();
  });
});
