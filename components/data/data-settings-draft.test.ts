import { describe, expect, it } from "vitest";
import { budgetMessage, fromDataDraft, toDataDraft } from "./data-settings-draft";

describe("Settings › Data form", () => {
  it("round-trips stored values, empty meaning forever and no budget", () => {
    const draft = toDataDraft({ tracesRetentionDays: 30, eventsRetentionDays: null, storageBudgetBytes: 50e9 });
    expect(draft).toEqual({ tracesRetentionDays: "30", eventsRetentionDays: "", storageBudget: "50.0GB" });
    expect(fromDataDraft(draft)).toEqual({
      body: { tracesRetentionDays: 30, eventsRetentionDays: null, storageBudgetBytes: 50e9 },
    });
    expect(fromDataDraft({ tracesRetentionDays: " ", eventsRetentionDays: "", storageBudget: "" })).toEqual({
      body: { tracesRetentionDays: null, eventsRetentionDays: null, storageBudgetBytes: null },
    });
  });
  it("names each bad field", () => {
    const r = fromDataDraft({ tracesRetentionDays: "0", eventsRetentionDays: "1.5", storageBudget: "lots" });
    expect(r).toEqual({
      errors: {
        tracesRetentionDays: expect.stringContaining("From 1"),
        eventsRetentionDays: expect.stringContaining("whole number"),
        storageBudget: expect.stringContaining("50GB"),
      },
    });
    expect(fromDataDraft({ tracesRetentionDays: "", eventsRetentionDays: "", storageBudget: "10KB" })).toEqual({
      errors: { storageBudget: expect.stringContaining("At least 1MB") },
    });
  });
  it("says which budget and how full in words", () => {
    expect(budgetMessage({ scope: "workspace", limitBytes: 10e9, usedBytes: 8.5e9, ratio: 0.85, warning: true })).toBe(
      "Storage is at 85% of this workspace's storage budget (8.5 GB of 10.0 GB).",
    );
    expect(
      budgetMessage({ scope: "instance", limitBytes: 1e9, usedBytes: 1.2e9, ratio: 1.2, warning: true }),
    ).toContain("over the installation's storage budget");
  });
});
