import { describe, expect, it } from "vitest";
import { EMPTY_ERASURE, erasureRequest } from "./erasure";

describe("erasureRequest", () => {
  it("is null until an identifier is given (an agent alone names no one)", () => {
    expect(erasureRequest(EMPTY_ERASURE)).toBeNull();
    expect(erasureRequest({ ...EMPTY_ERASURE, agent: "support", identifyType: "email" })).toBeNull();
  });
  it("keeps only the fields filled in, trimmed; identify's type defaults to email", () => {
    expect(erasureRequest({ ...EMPTY_ERASURE, identifyValue: " ana@example.com ", threadId: "  " })).toEqual({
      identify: { type: "email", value: "ana@example.com" },
    });
    expect(erasureRequest({ ...EMPTY_ERASURE, sessionId: "s1", agent: " bot " })).toEqual({
      sessionId: "s1",
      agent: "bot",
    });
  });
});
