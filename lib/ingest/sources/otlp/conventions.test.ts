import { describe, expect, it } from "vitest";
import { readConventions } from "./conventions";
import { isPayloadKey } from "./reading";

/** Precedence when a span carries several families (docs/sources/otlp.md, "Precedence"). */
describe("convention precedence", () => {
  it("OpenInference over the Vercel AI SDK (OpenInference's Vercel processor adds its attributes to AI SDK spans)", () => {
    const { reading, families } = readConventions(
      {
        "openinference.span.kind": "LLM",
        "llm.model_name": "gpt-4o-mini",
        "llm.input_messages.0.message.role": "user",
        "llm.input_messages.0.message.content": "from openinference",
        "ai.operationId": "ai.generateText.doGenerate",
        "ai.telemetry.functionId": "support-reply",
        "ai.model.id": "gpt-4o-mini-vercel",
        "ai.prompt.messages": '[{"role":"user","content":"from vercel"}]',
        "ai.response.text": "answer",
        "ai.usage.promptTokens": 10,
        "ai.usage.completionTokens": 2,
      },
      [],
    );
    expect(families).toEqual(["openinference", "vercel-ai"]);
    expect(reading).toMatchObject({
      type: "llm_call",
      model: "gpt-4o-mini",
      name: "generateText.doGenerate", // OpenInference has no name: the AI SDK's
      input: [{ role: "user", parts: [{ type: "text", text: "from openinference" }] }],
      output: [{ role: "assistant", parts: [{ type: "text", text: "answer" }] }],
      usage: { input: 10, output: 2 },
    });
    // The losing family's messages are not in the input: they stay in the span's attributes.
    expect(isPayloadKey("ai.prompt.messages", reading.payloadKeys ?? [])).toBe(true); // vercel gave the output
    expect(isPayloadKey("llm.input_messages.0.message.role", reading.payloadKeys ?? [])).toBe(true);
  });

  it("the Vercel AI SDK over the gen_ai attributes it also writes; usage merged count by count", () => {
    const { reading } = readConventions(
      {
        "ai.operationId": "ai.streamText.doStream",
        "ai.model.id": "claude-sonnet-4",
        "ai.model.provider": "anthropic.messages",
        "ai.usage.inputTokens": 30,
        "ai.usage.outputTokens": 5,
        "gen_ai.system": "anthropic.messages",
        "gen_ai.request.model": "claude-sonnet-4-20250514",
        "gen_ai.usage.input_tokens": 31,
        "gen_ai.usage.cache_read.input_tokens": 20,
      },
      [],
    );
    expect(reading).toMatchObject({
      type: "llm_call",
      model: "claude-sonnet-4",
      provider: "anthropic",
      usage: { input: 30, output: 5, cacheRead: 20 },
    });
  });

  it("GenAI over Traceloop: OpenLLMetry LLM spans take messages from gen_ai.*, the total and ids from traceloop", () => {
    const { reading, families } = readConventions(
      {
        "llm.request.type": "chat",
        "gen_ai.system": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.prompt_tokens": 9,
        "gen_ai.usage.completion_tokens": 3,
        "llm.usage.total_tokens": 12,
        "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": "hi",
        "traceloop.association.properties.session_id": "s-1",
        "traceloop.workflow.name": "chat_flow",
      },
      [],
    );
    expect(families).toEqual(["gen_ai", "traceloop"]);
    expect(reading).toMatchObject({
      type: "llm_call",
      usage: { input: 9, output: 3, total: 12 },
      input: [{ role: "user", parts: [{ type: "text", text: "hi" }] }],
      context: { sessionId: "s-1" },
    });
  });

  it("GenAI messages over input.value; input.value then stays in the attributes", () => {
    const { reading } = readConventions(
      {
        "gen_ai.operation.name": "chat",
        "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"q"}]}]',
        "input.value": "something else",
      },
      [],
    );
    expect(reading.input).toEqual([{ role: "user", parts: [{ type: "text", text: "q" }] }]);
    expect(isPayloadKey("gen_ai.input.messages", reading.payloadKeys ?? [])).toBe(true);
    expect(isPayloadKey("input.value", reading.payloadKeys ?? [])).toBe(false);
  });

  it("ids: OpenInference's session.id before the AI SDK's metadata, the conversation id as the thread", () => {
    const { reading } = readConventions(
      {
        "session.id": "oi-session",
        "ai.operationId": "ai.generateText",
        "ai.telemetry.metadata.sessionId": "vercel-session",
        "ai.telemetry.metadata.userId": "u-1",
        "gen_ai.conversation.id": "conv-1",
      },
      [],
    );
    expect(reading.context).toEqual({ sessionId: "oi-session", userId: "u-1", threadId: "conv-1" });
  });

  it("a family that throws on an attribute it did not expect is skipped and named; the others still read", () => {
    const attrs: Record<string, unknown> = { "traceloop.span.kind": "tool", "traceloop.entity.name": "lookup" };
    Object.defineProperty(attrs, "ai.operationId", {
      enumerable: false,
      get() {
        throw new Error("boom");
      },
    });
    const { reading, problems } = readConventions(attrs, []);
    expect(problems).toEqual(["vercel-ai: boom"]);
    expect(reading).toMatchObject({ type: "tool_call", name: "lookup" });
  });
});
