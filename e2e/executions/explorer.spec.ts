import { expect, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

test.describe.configure({ mode: "serial" });

const run = unique();
const failing = `refund-flow-${run}`;
const greeting = `greeting-${run}`;
let key = "";

test.beforeAll(async ({ browser, request }) => {
  const page = await browser.newPage();
  key = await createApiKey(page, `explorer-${run}`);
  await page.close();
  const exec = `exec-${run}`;
  await sendTraces(request, key, [
    {
      id: `${exec}-root`,
      executionId: exec,
      type: "workflow_execution",
      name: failing,
      agent: "billing-bot",
      startedAt: at(0),
      endedAt: at(900),
      threadId: `th-${run}`,
      input: { text: "I want a refund" },
      error: {
        name: "RefundError",
        message: "card declined",
        stack: "RefundError: card declined\n    at charge (billing.ts:42:7)",
      },
    },
    {
      id: `${exec}-fetch`,
      executionId: exec,
      parentId: `${exec}-root`,
      type: "workflow_step",
      stepType: "function",
      name: "load-order",
      startedAt: at(10),
      endedAt: at(100),
    },
    {
      id: `${exec}-cond`,
      executionId: exec,
      parentId: `${exec}-root`,
      type: "workflow_step",
      stepType: "condition",
      name: "is-eligible",
      startedAt: at(110),
      endedAt: at(120),
    },
    {
      id: `${exec}-llm`,
      executionId: exec,
      parentId: `${exec}-cond`,
      type: "llm_call",
      name: "draft-answer",
      startedAt: at(130),
      endedAt: at(600),
      llm: { model: "gpt-4o", promptName: "refund-reply", usage: { inputTokens: 1200, outputTokens: 345 } },
      output: "We are sorry…",
    },
    {
      id: `${exec}-err`,
      executionId: exec,
      parentId: `${exec}-root`,
      type: "error",
      name: "charge-failed",
      startedAt: at(700),
      endedAt: at(700),
      error: {
        name: "RefundError",
        message: "card declined",
        stack: "RefundError: card declined\n    at charge (billing.ts:42:7)",
      },
    },
    {
      id: `${exec}-http`,
      executionId: exec,
      parentId: `${exec}-root`,
      type: "http_call",
      name: "POST /charges",
      startedAt: at(650),
      endedAt: at(690),
      http: { method: "POST", url: "https://pay.example/charges", statusCode: 402 },
    },
  ]);
  await sendTraces(request, key, [
    {
      id: `g-${run}`,
      executionId: `g-${run}`,
      type: "agent_execution",
      name: greeting,
      agent: "billing-bot",
      startedAt: at(1000),
      endedAt: at(1100),
    },
  ]);
});

test("filtering by status and by text finds the run, and the URL reproduces the list", async ({ page, context }) => {
  await page.goto("/executions");
  await expect(page.getByRole("link", { name: greeting })).toBeVisible();
  await page.getByLabel("Status").selectOption("error");
  await expect(page).toHaveURL(/status=error/);
  await expect(page.getByRole("link", { name: failing })).toBeVisible();
  await expect(page.getByRole("link", { name: greeting })).toHaveCount(0);

  await page.getByLabel("Search executions").fill(`refund-flow-${run}`);
  await page.getByLabel("Search executions").press("Enter");
  await expect(page).toHaveURL(new RegExp(`q=refund-flow-${run}`));
  const table = page.getByTestId("executions-table");
  await expect(table.locator("tbody tr")).toHaveCount(1);

  const second = await context.newPage();
  await second.goto(page.url());
  await expect(second.getByLabel("Status")).toHaveValue("error");
  await expect(second.getByTestId("executions-table").locator("tbody tr")).toHaveCount(1);
  await expect(second.getByRole("link", { name: failing })).toBeVisible();
  await second.close();

  await page.goBack();
  await expect(page).not.toHaveURL(/q=refund/);
});

test("the execution page shows step types, LLM tokens, HTTP, the error stack and keyboard navigation", async ({
  page,
}) => {
  await page.goto(`/executions?q=${failing}`);
  await page.getByRole("link", { name: failing }).click();
  await expect(page.getByRole("heading", { name: failing })).toBeVisible();
  const tree = page.getByTestId("trace-tree");
  await expect(tree.getByRole("treeitem")).toHaveCount(6);
  await expect(tree.getByText("Function", { exact: true })).toBeVisible();
  await expect(tree.getByText("Condition", { exact: true })).toBeVisible();
  await expect(tree.getByText("Workflow", { exact: true })).toBeVisible();

  await tree.getByRole("treeitem").filter({ hasText: "draft-answer" }).click();
  const llm = page.getByTestId("llm-panel");
  await expect(llm).toContainText("gpt-4o");
  await expect(llm).toContainText("refund-reply");
  await expect(llm).toContainText("1,545");

  await tree.getByRole("treeitem").filter({ hasText: "POST /charges" }).click();
  await expect(page.getByTestId("http-panel")).toContainText("https://pay.example/charges");
  await expect(page.getByTestId("http-panel")).toContainText("402");

  await tree.getByRole("treeitem").filter({ hasText: "charge-failed" }).click();
  await expect(page.getByTestId("span-error")).toContainText("at charge (billing.ts:42:7)");

  // Keyboard: j/k and arrows move the selection; Enter opens it.
  await tree.getByRole("treeitem").first().click();
  await tree.focus();
  await expect(tree.getByRole("treeitem").nth(0)).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("j");
  await expect(tree.getByRole("treeitem").nth(1)).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowDown");
  await expect(tree.getByRole("treeitem").nth(2)).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("k");
  await expect(tree.getByRole("treeitem").nth(1)).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("complementary", { name: "Span details" })).toContainText("load-order");

  // Folding: Left on the condition step hides its LLM child.
  await tree.getByRole("treeitem").filter({ hasText: "is-eligible" }).click();
  await tree.focus();
  await page.keyboard.press("ArrowLeft");
  await expect(tree.getByRole("treeitem").filter({ hasText: "draft-answer" })).toHaveCount(0);
  await page.keyboard.press("ArrowRight");
  await expect(tree.getByRole("treeitem").filter({ hasText: "draft-answer" })).toHaveCount(1);
  // Left on a folded row selects its parent, the workflow.
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await expect(tree.getByRole("treeitem").first()).toHaveAttribute("aria-selected", "true");
  // Collapse all leaves the root; expand all brings every span back.
  await page.getByRole("button", { name: "Collapse all" }).click();
  await expect(tree.getByRole("treeitem")).toHaveCount(1);
  await page.getByRole("button", { name: "Expand all" }).click();
  await expect(tree.getByRole("treeitem")).toHaveCount(6);

  // Search inside the trace highlights matches.
  await page.getByPlaceholder("Search spans (/)").fill("charge");
  await expect(tree.locator("mark")).toHaveCount(2);
});

test("a running execution gains a span live, without reload", async ({ page, request }) => {
  const exec = `live-${run}`;
  await sendTraces(request, key, [
    {
      id: `${exec}-root`,
      executionId: exec,
      type: "agent_execution",
      name: `live-run-${run}`,
      agent: "billing-bot",
      startedAt: at(0, Date.now()),
    },
  ]);
  await page.goto(`/executions/${exec}`);
  await expect(page.getByRole("heading", { name: `live-run-${run}` })).toBeVisible();
  await expect(page.getByTestId("execution-duration")).toHaveText("running");
  const tree = page.getByTestId("trace-tree");
  await expect(tree.getByRole("treeitem")).toHaveCount(1);
  await page.waitForTimeout(500); // let the page subscribe to live updates
  await sendTraces(request, key, [
    {
      id: `${exec}-tool`,
      executionId: exec,
      parentId: `${exec}-root`,
      type: "tool_call",
      name: "lookup-order",
      startedAt: at(5, Date.now()),
      endedAt: at(50, Date.now()),
    },
  ]);
  await expect(tree.getByRole("treeitem").filter({ hasText: "lookup-order" })).toBeVisible();
  await sendTraces(request, key, [
    {
      id: `${exec}-root`,
      executionId: exec,
      type: "agent_execution",
      name: `live-run-${run}`,
      agent: "billing-bot",
      startedAt: at(0, Date.now() - 1000),
      endedAt: at(0, Date.now()),
    },
  ]);
  await expect(page.getByTestId("execution-duration")).not.toHaveText("running");
  await expect(page.getByText("success").first()).toBeVisible();
});
