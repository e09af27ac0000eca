import { describe, expect, it } from "vitest";
import { isChatMessages } from "../contracts/messages";
import { toMessage, toMessages, toPart } from "./parts";

describe("content parts of every family", () => {
  it.each([
    [
      { type: "text", content: "a" },
      { type: "text", text: "a" },
    ],
    [
      { type: "input_text", text: "a" },
      { type: "text", text: "a" },
    ],
    [
      { type: "thinking", thinking: "hmm" },
      { type: "reasoning", text: "hmm" },
    ],
    [
      { type: "redacted_thinking", data: "x" },
      { type: "reasoning", text: "[redacted]" },
    ],
    [
      { type: "tool_use", id: "t", name: "f", input: { a: 1 } },
      { type: "tool_call", id: "t", name: "f", arguments: { a: 1 } },
    ],
    [
      { type: "tool_result", tool_use_id: "t", content: "ok", is_error: true },
      { type: "tool_result", id: "t", result: "ok", isError: true },
    ],
    [
      { type: "image_url", image_url: { url: "https://x/y.jpg" } },
      { type: "media", modality: "image", uri: "https://x/y.jpg" },
    ],
    [
      { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/" } },
      { type: "media", modality: "image", mimeType: "image/jpeg", data: "/9j/" },
    ],
    [
      { type: "image", image: "iVBORw0KGgo", mimeType: "image/png" },
      { type: "media", modality: "image", mimeType: "image/png", data: "iVBORw0KGgo" },
    ],
    [
      { type: "file", data: "JVBERi0", mediaType: "application/pdf", filename: "a.pdf" },
      { type: "media", modality: "document", mimeType: "application/pdf", data: "JVBERi0", name: "a.pdf" },
    ],
    [
      { type: "input_audio", input_audio: { data: "UklG", format: "wav" } },
      { type: "media", modality: "audio", mimeType: "audio/wav", data: "UklG" },
    ],
    [{ functionCall: { name: "f", args: { a: 1 } } }, { type: "tool_call", name: "f", arguments: { a: 1 } }],
    [
      { inlineData: { mimeType: "image/png", data: "iVBO" } },
      { type: "media", modality: "image", mimeType: "image/png", data: "iVBO" },
    ],
    [
      { text: "thought", thought: true },
      { type: "reasoning", text: "thought" },
    ],
    [{ weird: 1 }, { type: "text", text: '{"weird":1}' }],
  ])("%j", (input, part) => {
    expect(toPart(input)).toEqual(part);
  });

  it("an OpenAI chat message: content, tool calls, and a tool answer as a tool result", () => {
    expect(
      toMessage({
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: '{"x":1}' } }],
      }),
    ).toEqual({ role: "assistant", parts: [{ type: "tool_call", id: "c", name: "f", arguments: { x: 1 } }] });
    expect(toMessage({ role: "tool", tool_call_id: "c", content: "42" })).toEqual({
      role: "tool",
      parts: [{ type: "tool_result", id: "c", result: "42" }],
    });
  });

  it("roles are folded to system, user, assistant, tool; unknown roles are kept", () => {
    const roles = ["developer", "human", "ai", "model", "function", "critic"].map(
      (role) => toMessage({ role, content: "x" })?.role,
    );
    expect(roles).toEqual(["system", "user", "assistant", "assistant", "tool", "critic"]);
  });

  it("the results are the contract's chat messages", () => {
    const messages = toMessages(
      '[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":"data:image/png;base64,AA"}]}]',
    );
    expect(isChatMessages(messages)).toBe(true);
    expect(isChatMessages([{ role: "user", content: "hi" }])).toBe(false);
    expect(toMessages("not json")).toBeNull();
  });
});
