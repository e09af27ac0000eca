import { describe, expect, it } from "vitest";
import { buildMessages, contentText } from "./text";

describe("message text", () => {
  it("reads strings, parts, text-like keys, and JSON for the rest", () => {
    expect(contentText("hi")).toBe("hi");
    expect(
      contentText({
        type: "parts",
        parts: [
          { type: "text", text: "a" },
          { type: "reasoning", text: "x" },
          { type: "text", text: "b" },
        ],
      }),
    ).toBe("a\nb");
    expect(contentText({ answer: "42", score: 1 })).toBe("42");
    expect(contentText({ score: 1 })).toBe('{"score":1}');
    expect(contentText(null)).toBe("null");
  });

  it("builds an example from the conversation with the corrected last answer", () => {
    const conversation = [
      { role: "system", content: "be brief" },
      { role: "user", content: { text: "hello" } },
      { role: "assistant", content: "hi!" },
      { role: "tool", content: "ignored" },
    ];
    expect(buildMessages(conversation, null, "Hello, how can I help?")).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "hello" },
      { role: "assistant", content: "Hello, how can I help?" },
    ]);
    expect(buildMessages([], { input: { prompt: "q" }, output: "a" }, null)).toEqual([
      { role: "user", content: "q" },
      { role: "assistant", content: "a" },
    ]);
  });
});
