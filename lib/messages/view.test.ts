import { describe, expect, it } from "vitest";
import type { ChatPart } from "../contracts/messages";
import { mediaView, partsPreview, prettyValue } from "./view";

type Media = Extract<ChatPart, { type: "media" }>;
const media = (m: Omit<Media, "type">): Media => ({ type: "media", ...m });
const PNG = "iVBORw0KGgo=";

describe("mediaView: only http(s) and data: media of their own kind are rendered", () => {
  it("renders http(s) images, audio and video", () => {
    expect(mediaView(media({ modality: "image", uri: "https://x.test/a.png" }))).toMatchObject({
      kind: "image",
      src: "https://x.test/a.png",
    });
    expect(mediaView(media({ modality: "audio", uri: "http://x.test/a.mp3" })).kind).toBe("audio");
    expect(mediaView(media({ modality: "video", uri: "https://x.test/a.mp4" })).kind).toBe("video");
  });

  it("renders base64 data: URIs and inline data of a safe type", () => {
    expect(mediaView(media({ modality: "image", uri: `data:image/png;base64,${PNG}` }))).toMatchObject({
      kind: "image",
      src: `data:image/png;base64,${PNG}`,
    });
    expect(mediaView(media({ modality: "image", mimeType: "image/png", data: PNG }))).toMatchObject({
      kind: "image",
      src: `data:image/png;base64,${PNG}`,
    });
  });

  it("never renders script-capable or foreign sources", () => {
    for (const uri of [
      "javascript:alert(1)",
      "data:image/svg+xml;base64,PHN2Zz4=",
      "data:text/html;base64,PGgxPg==",
      "data:image/png,<svg onload=alert(1)>",
      "gs://bucket/a.png",
    ])
      expect(mediaView(media({ modality: "image", uri })).kind).toBe("none");
    expect(mediaView(media({ modality: "image", mimeType: "image/svg+xml", data: "PHN2Zz4=" })).kind).toBe("none");
    // A data: URI must be of the part's own kind (no image shown as audio).
    expect(mediaView(media({ modality: "audio", uri: `data:image/png;base64,${PNG}` })).kind).toBe("none");
  });

  it("links http documents and describes what it cannot show", () => {
    expect(mediaView(media({ modality: "document", uri: "https://x.test/a.pdf" })).kind).toBe("link");
    expect(mediaView(media({ modality: "file", fileId: "file-123" }))).toEqual({
      kind: "none",
      label: "file: file file-123",
    });
  });
});

describe("prettyValue and partsPreview", () => {
  it("pretty-prints tool arguments, keeps strings as sent", () => {
    expect(prettyValue({ city: "Paris" })).toBe('{\n  "city": "Paris"\n}');
    expect(prettyValue("<b>raw</b>")).toBe("<b>raw</b>");
  });

  it("previews text first, else names the parts", () => {
    expect(
      partsPreview([
        { type: "text", text: "Hi" },
        { type: "tool_call", name: "weather" },
      ]),
    ).toBe("Hi");
    expect(partsPreview([{ type: "tool_call", name: "weather" }])).toBe("[tool call] weather");
    expect(partsPreview([{ type: "tool_result", id: "c1", result: { temp: 21 } }])).toContain('"temp": 21');
  });
});
