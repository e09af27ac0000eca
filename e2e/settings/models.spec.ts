import { expect, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

test("a model call shows its cost; a price added for an unpriced model applies after a recompute", async ({
  page,
  request,
}) => {
  const key = await createApiKey(page, `costs ${unique()}`);
  const id = `cost-${unique()}`;
  const model = `house-model-${unique()}`;
  await sendTraces(request, key, [
    {
      id: `${id}-root`,
      executionId: id,
      type: "agent_execution",
      name: "priced run",
      agent: "pricing",
      startedAt: at(0),
      endedAt: at(900),
    },
    {
      id: `${id}-a`,
      executionId: id,
      parentId: `${id}-root`,
      type: "llm_call",
      name: "answer",
      startedAt: at(10),
      endedAt: at(600),
      llm: { model: "gpt-4o-mini", usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 } },
    },
    {
      id: `${id}-b`,
      executionId: id,
      parentId: `${id}-root`,
      type: "llm_call",
      name: "rerank",
      startedAt: at(610),
      endedAt: at(800),
      llm: { model, usage: { inputTokens: 1_000_000, outputTokens: 0 } },
    },
  ]);

  const cheap = `${id}-cheap`;
  await sendTraces(request, key, [
    {
      id: `${cheap}-root`,
      executionId: cheap,
      type: "agent_execution",
      name: "cheap run",
      agent: "pricing",
      startedAt: at(1000),
      endedAt: at(1200),
    },
    {
      id: `${cheap}-a`,
      executionId: cheap,
      parentId: `${cheap}-root`,
      type: "llm_call",
      name: "answer",
      startedAt: at(1010),
      endedAt: at(1100),
      llm: { model: "gpt-4o-mini", usage: { inputTokens: 1000, outputTokens: 0 } },
    },
  ]);

  await test.step("the executions list sorts by cost, both ways, kept in the URL", async () => {
    await page.goto("/executions?agent=pricing");
    const costs = page.getByTestId("execution-cost");
    await expect(costs).toHaveCount(2);
    await page.getByRole("button", { name: "Sort by cost" }).click();
    await expect(page).toHaveURL(/sort=cost/);
    await expect(costs).toHaveText(["$0.75", "$0.00015"]);
    await page.getByRole("button", { name: "Sort by cost" }).click();
    await expect(page).toHaveURL(/order=asc/);
    await expect(costs).toHaveText(["$0.00015", "$0.75"]);
  });

  await test.step("the execution and its LLM call show their cost", async () => {
    await page.goto(`/executions/${id}`);
    // gpt-4o-mini at the built-in $0.15 in and $0.60 out per million; the house model has no price.
    await expect(page.getByTestId("execution-cost")).toHaveText("$0.75");
    await page.getByRole("tree").getByRole("treeitem").filter({ hasText: "answer" }).click();
    await expect(page.getByTestId("llm-cost")).toHaveText("$0.75");
    await expect(page.getByTestId("llm-panel")).toContainText("gpt-4o-mini*: $0.15 in, $0.6 out");
  });

  await test.step("Settings › Models lists the unpriced model; adding its price and recomputing counts it", async () => {
    await page.goto("/settings/models");
    const unpriced = page.getByRole("list", { name: "Models without a price" });
    await expect(unpriced).toContainText(model);
    await unpriced
      .getByRole("listitem")
      .filter({ hasText: model })
      .getByRole("button", { name: "Add a price" })
      .click();
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
  });

  await test.step("the execution's cost now includes it", async () => {
    await page.goto(`/executions/${id}`);
    await expect(page.getByTestId("execution-cost")).toHaveText("$2.75");
  });

  await test.step("restore the built-in prices", async () => {
    await page.goto("/settings/models");
    await page.getByRole("button", { name: "Restore built-in prices" }).click();
    await expect(page.getByText("Built-in prices")).toBeVisible();
  });
});
