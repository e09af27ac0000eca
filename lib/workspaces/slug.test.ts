import { describe, expect, it } from "vitest";
import { slugify } from "./service";

describe("slugify", () => {
  it("makes readable ASCII slugs", () => {
    expect(slugify("Atendimento São Paulo")).toBe("atendimento-sao-paulo");
    expect(slugify("  ### ")).toBe("workspace");
  });
});
