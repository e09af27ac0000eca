import { describe, expect, it } from "vitest";
import { pageAfterSwitch } from "./page-after-switch";

describe("the page after a workspace switch", () => {
  it("leaves a record of the previous workspace for its list, and stays on other pages", () => {
    expect(pageAfterSwitch("/executions/run-1")).toBe("/executions");
    expect(pageAfterSwitch("/threads/wa-5511")).toBe("/threads");
    expect(pageAfterSwitch("/reviews/rv_1")).toBe("/reviews");
    expect(pageAfterSwitch("/executions")).toBe("/executions");
    expect(pageAfterSwitch("/settings/members")).toBe("/settings/members");
    expect(pageAfterSwitch("/metrics")).toBe("/metrics");
  });
});
