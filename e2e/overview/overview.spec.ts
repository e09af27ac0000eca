import { expect, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

test("the overview shows cost, latency and the top error, and the error opens the explorer filtered to it", async ({
  page,
  request,
}) => {
  const key = await createApiKey(page, `overview ${unique()}`);
  const agent = `overview-${unique()}`;
  const message = `card declined ${unique()}`;
  const run = (id: string, ms: number, error?: string) => [
    {
      id: `${id}-root`,
      executionId: id,
      type: "agent_execution",
      name: "checkout",
      agent,
      status: error ? "error" : "success",
      startedAt: at(0),
      endedAt: at(ms),
      ...(error ? { error: { name: "PaymentError", message: error } } : {}),
    },
    {
      id: `${id}-llm`,
      executionId: id,
      parentId: `${id}-root`,
      type: "llm_call",
      name: "answer",
      startedAt: at(1),
      endedAt: at(ms - 1),
      llm: { model: "gpt-4o-mini", usage: { inputTokens: 100_000, outputTokens: 10_000 } },
    },
  ];
  const ids = [`ov-${unique()}`, `ov-${unique()}`, `ov-${unique()}`];
  await sendTraces(request, key, [...run(ids[0], 400), ...run(ids[1], 1200, message), ...run(ids[2], 800)]);

  await page.goto(`/overview?agent=${agent}`);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  // 3 × (100k in at $0.15 + 10k out at $0.60 per million) = $0.063.
  await expect(page.getByTestId("overview-cost")).toHaveText("$0.06");
  await expect(page.getByText("Latency p50 / p95")).toBeVisible();
  // Nearest-rank p50 800 ms and p95 1.2 s, read from rollup histograms: within 2% of each.
  const latency = page.getByText(/^\d[\d.]* m?s \/ \d[\d.]* m?s$/);
  await expect(latency).toBeVisible();
  const [p50, p95] = ((await latency.textContent()) ?? "")
    .split(" / ")
    .map((v) => (v.endsWith(" ms") ? parseFloat(v) : parseFloat(v) * 1000));
  expect(Math.abs(p50 - 800)).toBeLessThanOrEqual(800 * 0.02);
  expect(Math.abs(p95 - 1200)).toBeLessThanOrEqual(1200 * 0.02 + 5); // shown to 2 decimals of a second
  const models = page.getByRole("table", { name: "LLM calls by model" });
  await expect(models.getByRole("row", { name: /gpt-4o-mini/ })).toContainText("3");
  const errors = page.getByRole("list", { name: "Top errors" });
  await expect(errors).toContainText(message);
  await errors.getByRole("link", { name: new RegExp(message) }).click();
  await expect(page).toHaveURL(/\/executions\?.*errorMessage=/);
  await expect(page.getByText(`Error: ${message}`)).toBeVisible();
  const rows = page.getByTestId("executions-table").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("checkout");
});
