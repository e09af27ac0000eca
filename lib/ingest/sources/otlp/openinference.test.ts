import { describe, expect, it } from "vitest";
import { ioValue, readIoValues, readOpenInference } from "./openinference";

/** An LLM span as @arizeai/openinference-instrumentation-openai writes a chat completion with a tool call. */
const openAiChat = {
  "openinference.span.kind": "LLM",
  "llm.system": "openai",
  "llm.provider": "openai",
  "llm.model_name": "gpt-4o-mini-2024-07-18",
  "llm.invocation_parameters": '{"model":"gpt-4o-mini","temperature":0.2}',
  "input.value": '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Weather in Paris?"}]}',
  "input.mime_type": "application/json",
  "output.value": '{"id":"chatcmpl-1","choices":[]}',
  "output.mime_type": "application/json",
  "llm.input_messages.0.message.role": "system",
  "llm.input_messages.0.message.content": "You are helpful.",
  "llm.input_messages.1.message.role": "user",
  "llm.input_messages.1.message.contents.0.message_content.type": "text",
  "llm.input_messages.1.message.contents.0.message_content.text": "What is in this picture?",
  "llm.input_messages.1.message.contents.1.message_content.type": "image",
  "llm.input_messages.1.message.contents.1.message_content.image.image.url": "https://example.com/cat.png",
  "llm.input_messages.2.message.role": "tool",
  "llm.input_messages.2.message.tool_call_id": "call_0",
  "llm.input_messages.2.message.content": '{"temp":21}',
  "llm.output_messages.0.message.role": "assistant",
  "llm.output_messages.0.message.tool_calls.0.tool_call.id": "call_1",
  "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "weather",
  "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city":"Paris"}',
  "llm.tools.0.tool.json_schema": '{"type":"function","function":{"name":"weather"}}',
  "llm.token_count.prompt": 120,
  "llm.token_count.completion": 15,
  "llm.token_count.total": 135,
  "llm.token_count.prompt_details.cache_read": 64,
  "llm.token_count.completion_details.reasoning": 5,
  "session.id": "s-9",
  "user.id": "u-3",
  "tag.tags": ["prod"],
};

describe("OpenInference convention", () => {
  it("an LLM span: model, provider, parameters, tokens, flattened messages with media and tool calls, tools, ids", () => {
    const r = readOpenInference(openAiChat);
    expect(r).toMatchObject({
      type: "llm_call",
      model: "gpt-4o-mini-2024-07-18",
      provider: "openai",
      config: { model: "gpt-4o-mini", temperature: 0.2 },
      usage: { input: 120, output: 15, total: 135, cacheRead: 64, reasoning: 5 },
      tools: [{ type: "function", function: { name: "weather" } }],
      context: { sessionId: "s-9", userId: "u-3" },
    });
    expect(r.input).toEqual([
      { role: "system", parts: [{ type: "text", text: "You are helpful." }] },
      {
        role: "user",
        parts: [
          { type: "text", text: "What is in this picture?" },
          { type: "media", modality: "image", uri: "https://example.com/cat.png" },
        ],
      },
      { role: "tool", parts: [{ type: "tool_result", id: "call_0", result: { temp: 21 } }] },
    ]);
    expect(r.output).toEqual([
      {
        role: "assistant",
        parts: [{ type: "tool_call", id: "call_1", name: "weather", arguments: { city: "Paris" } }],
      },
    ]);
  });

  it("an LLM span without flattened messages reads the request and response of input.value / output.value", () => {
    const r = readOpenInference({
      "openinference.span.kind": "LLM",
      "input.value": '{"messages":[{"role":"user","content":"hi"}]}',
      "input.mime_type": "application/json",
      "output.value": '{"choices":[{"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}]}',
      "output.mime_type": "application/json",
    });
    expect(r.input).toEqual([{ role: "user", parts: [{ type: "text", text: "hi" }] }]);
    expect(r.output).toEqual([{ role: "assistant", parts: [{ type: "text", text: "hello" }], finishReason: "stop" }]);
  });

  it("a CHAIN span's input.value is not read as a chat request: it stays whole for readIoValues", () => {
    const attrs = {
      "openinference.span.kind": "CHAIN",
      "input.value": '{"messages":[{"role":"user","content":"hi"}],"config":{"k":1}}',
      "input.mime_type": "application/json",
    };
    expect(readOpenInference(attrs).input).toBeUndefined();
    expect(readIoValues(attrs).input).toEqual({ messages: [{ role: "user", content: "hi" }], config: { k: 1 } });
  });

  it("LangChain's LLM spans carry no llm.provider: the provider comes from its run metadata (ls_provider)", () => {
    const attrs = {
      "openinference.span.kind": "LLM",
      "llm.model_name": "gpt-4o-mini",
      metadata: '{"ls_provider":"openai","ls_model_name":"gpt-4o-mini","ls_model_type":"chat"}',
    };
    expect(readOpenInference(attrs).provider).toBe("openai");
    expect(readOpenInference({ ...attrs, "llm.provider": "azure" }).provider).toBe("azure");
  });

  it("legacy completions: llm.prompts / llm.choices", () => {
    const r = readOpenInference({
      "openinference.span.kind": "LLM",
      "llm.prompts.0.prompt.text": "def fib(n):",
      "llm.choices.0.completion.text": " return n",
    });
    expect(r.input).toEqual([{ role: "user", parts: [{ type: "text", text: "def fib(n):" }] }]);
    expect(r.output).toEqual([{ role: "assistant", parts: [{ type: "text", text: " return n" }] }]);
  });

  it.each([
    ["CHAIN", undefined, undefined],
    ["TOOL", "tool_call", undefined],
    ["AGENT", "agent_execution", undefined],
    ["RETRIEVER", "retrieval", undefined],
    ["RERANKER", "retrieval", undefined],
    ["GUARDRAIL", "guardrail", undefined],
    ["EVALUATOR", "workflow_step", "evaluator"],
    ["EMBEDDING", "embedding", undefined],
    ["llm", "llm_call", undefined],
  ])("span kind %s is type %s", (kind, type, stepType) => {
    const r = readOpenInference({ "openinference.span.kind": kind });
    expect(r.type).toBe(type);
    expect(r.stepType).toBe(stepType);
  });

  it("embeddings: the texts embedded and a summary of the vectors, the embedding model", () => {
    const r = readOpenInference({
      "openinference.span.kind": "EMBEDDING",
      "embedding.model_name": "text-embedding-3-small",
      "embedding.embeddings.0.embedding.text": "sunny",
      "embedding.embeddings.0.embedding.vector": [0.1, 0.2, 0.3, 0.4],
      "embedding.embeddings.1.embedding.text": "rainy",
      "embedding.embeddings.1.embedding.vector": [0.5, 0.6, 0.7, 0.8],
      "llm.token_count.prompt": 4,
    });
    expect(r).toMatchObject({
      type: "embedding",
      model: "text-embedding-3-small",
      input: ["sunny", "rainy"],
      output: { embeddings: 2, dimensions: 4 },
      usage: { input: 4 },
    });
  });

  it("retrieval and reranking: documents with content, score and parsed metadata", () => {
    const retriever = readOpenInference({
      "openinference.span.kind": "RETRIEVER",
      "input.value": "otel genai",
      "retrieval.documents.0.document.id": "d1",
      "retrieval.documents.0.document.content": "GenAI conventions...",
      "retrieval.documents.0.document.score": 0.92,
      "retrieval.documents.0.document.metadata": '{"source":"spec"}',
    });
    expect(retriever.output).toEqual([
      { id: "d1", content: "GenAI conventions...", score: 0.92, metadata: { source: "spec" } },
    ]);
    const reranker = readOpenInference({
      "openinference.span.kind": "RERANKER",
      "reranker.query": "otel",
      "reranker.model_name": "cross-encoder",
      "reranker.input_documents.0.document.content": "a",
      "reranker.output_documents.0.document.content": "a",
      "reranker.output_documents.0.document.score": 0.5,
    });
    expect(reranker).toMatchObject({
      model: "cross-encoder",
      input: { query: "otel", documents: [{ content: "a" }] },
      output: [{ content: "a", score: 0.5 }],
    });
  });

  it("input.value by mime type: JSON parsed, invalid JSON and text/plain kept as text", () => {
    expect(ioValue({ "input.value": '{"q":1}', "input.mime_type": "application/json" }, "input")).toEqual({ q: 1 });
    expect(ioValue({ "input.value": "{broken", "input.mime_type": "application/json" }, "input")).toBe("{broken");
    expect(ioValue({ "input.value": '{"q":1}', "input.mime_type": "text/plain" }, "input")).toBe('{"q":1}');
    expect(ioValue({ "input.value": '["a"]' }, "input")).toEqual(["a"]);
    expect(readIoValues({ "output.value": "done" })).toMatchObject({ output: "done" });
  });

  it("LangChain's serialised messages become normalised messages, other constructors their arguments", () => {
    const value = {
      messages: [
        [
          {
            lc: 1,
            type: "constructor",
            id: ["langchain_core", "messages", "HumanMessage"],
            kwargs: { content: "What is 2+2?", additional_kwargs: {} },
          },
          {
            lc: 1,
            type: "constructor",
            id: ["langchain_core", "messages", "AIMessageChunk"],
            kwargs: { content: "", tool_calls: [{ name: "calc", args: { expr: "2+2" }, id: "t1" }] },
          },
        ],
      ],
      prompt: {
        lc: 1,
        type: "constructor",
        id: ["langchain", "prompts", "PromptTemplate"],
        kwargs: { template: "{q}" },
      },
    };
    expect(ioValue({ "input.value": JSON.stringify(value), "input.mime_type": "application/json" }, "input")).toEqual({
      messages: [
        [
          { role: "user", parts: [{ type: "text", text: "What is 2+2?" }] },
          { role: "assistant", parts: [{ type: "tool_call", id: "t1", name: "calc", arguments: { expr: "2+2" } }] },
        ],
      ],
      prompt: { template: "{q}" },
    });
  });

  it("malformed attributes: wrong types, huge indexes and invalid JSON are skipped, the rest read", () => {
    const r = readOpenInference({
      "openinference.span.kind": 7,
      "llm.model_name": ["not", "a", "string"],
      "llm.token_count.prompt": "12",
      "llm.token_count.completion": 1.5,
      "llm.invocation_parameters": "{oops",
      "llm.input_messages.999999.message.role": "user",
      "llm.input_messages.999999.message.content": "far away",
      "llm.input_messages.0.message": "not an object",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "kept",
      "llm.input_messages.1.message.tool_calls.0.tool_call": 5,
      "llm.tools.0.tool.json_schema": "{nope",
    });
    expect(r.type).toBeUndefined();
    expect(r.model).toBeUndefined();
    expect(r.usage).toEqual({ input: 12 });
    expect(r.config).toBeUndefined();
    expect(r.input).toEqual([{ role: "user", parts: [{ type: "text", text: "kept" }] }]);
    expect(r.tools).toEqual(["{nope"]);
  });

  it("spans with none of its attributes are not this family's", () => {
    expect(readOpenInference({ "http.method": "GET" })).toEqual({});
  });
});
