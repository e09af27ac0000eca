import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../contracts/messages";
import { chatMessagesOf, isPartsContent, messageContent, newTurns } from "./turns";

const text = (role: string, t: string): ChatMessage => ({ role, parts: [{ type: "text", text: t }] });
const call: ChatMessage = {
  role: "assistant",
  parts: [{ type: "tool_call", id: "c1", name: "weather", arguments: { city: "Paris" } }],
};
const result: ChatMessage = { role: "tool", parts: [{ type: "tool_result", id: "c1", result: { temp: 21 } }] };

describe("newTurns: what one LLM call adds to its conversation", () => {
  it("first call: the whole input (system and question) and the output", () => {
    const input = [text("system", "Be brief."), text("user", "Weather in Paris?")];
    expect(newTurns(input, [call])).toEqual([...input, call]);
  });

  it("a later call: only the input after the last assistant message, then the output", () => {
    const input = [text("system", "Be brief."), text("user", "Weather in Paris?"), call, result];
    const answer = text("assistant", "21 °C.");
    expect(newTurns(input, [answer])).toEqual([result, answer]);
  });

  it("a next question after an answer starts after that answer", () => {
    const input = [text("user", "Hi"), text("assistant", "Hello"), text("user", "Bye")];
    expect(newTurns(input, null)).toEqual([text("user", "Bye")]);
  });

  it("drops turns without parts", () => {
    expect(newTurns([{ role: "user", parts: [] }], [text("assistant", "ok")])).toEqual([text("assistant", "ok")]);
  });
});

describe("messageContent", () => {
  it("is the text of a text-only message and parts otherwise", () => {
    expect(messageContent(text("user", "Hi"))).toBe("Hi");
    const content = messageContent(call);
    expect(content).toEqual({ type: "parts", parts: call.parts });
    expect(isPartsContent(content)).toBe(true);
    expect(isPartsContent({ type: "parts", parts: [{ type: "nope" }] })).toBe(false);
  });
});

describe("chatMessagesOf: payloads that read as chat", () => {
  it("keeps normalised messages as stored", () => {
    const stored = [text("user", "Hi")];
    expect(chatMessagesOf(stored)).toBe(stored);
  });

  it("reads our SDK's OpenAI-like input and output", () => {
    expect(chatMessagesOf({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] })).toEqual([
      text("user", "Hi"),
    ]);
    expect(chatMessagesOf([{ role: "system", content: "Be brief." }])).toEqual([text("system", "Be brief.")]);
    expect(
      chatMessagesOf({
        choices: [
          {
            message: {
              role: "assistant",
              content: null,
              tool_calls: [{ id: "c1", function: { name: "weather", arguments: '{"city":"Paris"}' } }],
            },
          },
        ],
      }),
    ).toEqual([call]);
    expect(chatMessagesOf({ role: "assistant", content: "Hello" })).toEqual([text("assistant", "Hello")]);
  });

  it("leaves anything else to the raw view (strings, plain objects, truncated payloads, lists without roles)", () => {
    expect(chatMessagesOf("Hi")).toBeNull();
    expect(chatMessagesOf({ query: "Hi" })).toBeNull();
    expect(
      chatMessagesOf({ __runlens_truncated: true, originalSize: 9_000_000, preview: '[{"role":"user"' }),
    ).toBeNull();
    expect(chatMessagesOf([{ content: "Hi" }, "x"])).toBeNull();
    expect(chatMessagesOf([])).toBeNull();
  });
});
