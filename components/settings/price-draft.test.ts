import { describe, expect, it } from "vitest";
import { ZModelPrice } from "@/lib/contracts/models";
import { fromDraft, toDraft } from "./price-draft";

describe("price drafts", () => {
  it("round-trips a price through the editor", () => {
    const price = {
      model: "gpt-4o*",
      provider: "openai",
      startsAt: "2025-06-10",
      input: 2.5,
      output: 10,
      cachedInput: 1.25,
      reasoning: null,
    };
    const back = fromDraft(toDraft(price));
    expect(back).toEqual({ price });
    expect(ZModelPrice.safeParse((back as { price: unknown }).price).success).toBe(true);
  });

  it("names each field that blocks saving", () => {
    const d = {
      ...toDraft({ model: "" }),
      model: "gpt 4",
      startsAt: "June",
      input: "",
      output: "-1",
      cachedInput: "x",
    };
    expect(fromDraft(d)).toEqual({
      errors: {
        model: "No spaces.",
        startsAt: "YYYY-MM-DD",
        input: "Required",
        output: "A price, e.g. 2.5",
        cachedInput: "A price, e.g. 2.5",
      },
    });
  });

  it("leaves optional prices empty rather than zero", () => {
    const r = fromDraft({ ...toDraft({ model: "m" }), input: "1", output: "2" });
    expect(r).toEqual({
      price: { model: "m", provider: null, startsAt: null, input: 1, output: 2, cachedInput: null, reasoning: null },
    });
  });
});
