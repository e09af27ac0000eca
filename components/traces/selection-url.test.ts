import { describe, expect, it } from "vitest";
import { readSelection, withSelection } from "./selection-url";

describe("the selection in the URL", () => {
  it("reads the span and the message, empty values as none", () => {
    expect(readSelection(new URLSearchParams("span=s1&message=m1"))).toEqual({ span: "s1", message: "m1" });
    expect(readSelection(new URLSearchParams("span=&x=1"))).toEqual({ span: null, message: null });
  });

  it("writes the selection and keeps the other parameters", () => {
    const base = "http://h/reviews/r1?status=open";
    const selected = withSelection(base, { span: "a/b c", message: null });
    expect(selected).toBe("http://h/reviews/r1?status=open&span=a%2Fb+c");
    expect(readSelection(new URL(selected).searchParams)).toEqual({ span: "a/b c", message: null });
    expect(withSelection(selected, { span: "s2", message: "m2" })).toBe(
      "http://h/reviews/r1?status=open&span=s2&message=m2",
    );
    expect(withSelection(selected, { span: null, message: null })).toBe(base);
  });
});
