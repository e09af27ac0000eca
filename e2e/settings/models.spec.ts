import { expect, type Page, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

type Call = { model: string; input: number; output: number };

/** One execution of `agent` whose root holds these model calls; returns its id. */
async function seedExecution(page: Page, request: Parameters<typeof sendTraces>[0], agent: string, calls: Call[]) {
  const key = await createApiKey(page, `costs ${unique()}`);
  const id = `cost-${unique()}`;
  await sendTraces(request, key, [
    {
      id: `${id}-root`,
      executionId: id,
      type: "agent_execution",
      name: `${agent} run`,
      agent,
      startedAt: at(0),
      endedAt: at(900),
    },
    ...calls.map((c, i) => ({
      id: `${id}-${i}`,
      executionId: id,
      parentId: `${id}-root`,
      type: "llm_call",
      name: `call ${i}`,
      startedAt: at(10 + i * 100),
      endedAt: at(90 + i * 100),
      llm: { model: c.model, usage: { inputTokens: c.input, outputTokens: c.output } },
    })),
  ]);
  return id;
}

// gpt-4o-mini at the built-in $0.15 in and $0.60 out per million tokens.
const MINI_MILLION_EACH: Call = { model: "gpt-4o-mini", input: 1_000_000, output: 1_000_000 };

test("an execution and its LLM call show their cost and the price used", async ({ page, request }) => {
  const id = await seedExecution(page, request, "pricing", [MINI_MILLION_EACH]);
  await page.goto(`/executions/${id}`);
  await expect(page.getByTestId("execution-cost")).toHaveText("$0.75");
  await page.getByRole("tree").getByRole("treeitem").filter({ hasText: "call 0" }).click();
  await expect(page.getByTestId("llm-cost")).toHaveText("$0.75");
  await expect(page.getByTestId("llm-panel")).toContainText("gpt-4o-mini*: $0.15 in, $0.6 out");
});

test("the executions list sorts by cost, both ways, kept in the URL", async ({ page, request }) => {
  const agent = `sorting-${unique()}`;
  await seedExecution(page, request, agent, [MINI_MILLION_EACH]);
  await seedExecution(page, request, agent, [{ model: "gpt-4o-mini", input: 1000, output: 0 }]);
  await page.goto(`/executions?agent=${agent}`);
  const costs = page.getByTestId("execution-cost");
  await expect(costs).toHaveCount(2);
  await page.getByRole("button", { name: "Sort by cost" }).click();
  await expect(page).toHaveURL(/sort=cost/);
  await expect(costs).toHaveText(["$0.75", "$0.00015"]);
  await page.getByRole("button", { name: "Sort by cost" }).click();
  await expect(page).toHaveURL(/order=asc/);
  await expect(costs).toHaveText(["$0.00015", "$0.75"]);
});

test("a price added for an unpriced model applies to stored calls after a recompute", async ({ page, request }) => {
  // Saving the table and the worker's recompute run one after the other on a shared machine.
  test.slow();
  const model = `house-model-${unique()}`;
  const id = await seedExecution(page, request, "pricing", [MINI_MILLION_EACH, { model, input: 1_000_000, output: 0 }]);

  await page.goto("/settings/models");
  const unpriced = page.getByRole("list", { name: "Models without a price" });
  await expect(unpriced).toContainText(model);
  await unpriced.getByRole("listitem").filter({ hasText: model }).getByRole("button", { name: "Add a price" }).click();
  const save = page.getByRole("button", { name: /to save|Save prices/ });
  await expect(save).toHaveText("Fix 1 row to save");
  await expect(save).toBeDisabled();
  await page.getByLabel(`Input of ${model}`, { exact: true }).fill("2");
  await page.getByLabel(`Output of ${model}`, { exact: true }).fill("0");
  await save.click();
  await expect(page.getByText("Edited prices")).toBeVisible();
  await page.getByRole("button", { name: "Recompute stored costs" }).click();
  await expect(page.getByTestId("recompute-state")).toContainText("Recomputed");
  await expect(unpriced).toHaveCount(0);

  await page.goto(`/executions/${id}`);
  await expect(page.getByTestId("execution-cost")).toHaveText("$2.75");

  await page.goto("/settings/models");
  await page.getByRole("button", { name: "Restore built-in prices" }).click();
  await expect(page.getByText("Built-in prices")).toBeVisible();
});
