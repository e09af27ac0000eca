import { expect, type Page, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

test.describe.configure({ mode: "serial" });

const run = unique();
const exec = `deep-${run}`;
const STEPS = 300;
const stepId = (i: number) => `${exec}-step-${i}`;
const stepName = (i: number) => `step ${String(i).padStart(3, "0")}`;

test.beforeAll(async ({ browser, request }) => {
  const page = await browser.newPage();
  const key = await createApiKey(page, `deep-${run}`);
  await page.close();
  // A root and 300 steps, far more rows than the tree shows at once.
  await sendTraces(request, key, [
    {
      id: `${exec}-root`,
      executionId: exec,
      type: "agent_execution",
      name: `long-run-${run}`,
      agent: "deep-link-bot",
      startedAt: at(0),
      endedAt: at(STEPS * 10 + 5),
    },
    ...Array.from({ length: STEPS }, (_, i) => ({
      id: stepId(i),
      executionId: exec,
      parentId: `${exec}-root`,
      type: "tool_call",
      name: stepName(i),
      startedAt: at(i * 10 + 1),
      endedAt: at(i * 10 + 9),
      input: { step: i },
    })),
  ]);
});

const tree = (page: Page) => page.getByTestId("trace-tree");
const details = (page: Page) => page.getByRole("complementary", { name: "Span details" });
const spanParam = (page: Page) => new URL(page.url()).searchParams.get("span");

test("a ?span= link selects the span, scrolls it into view and opens its details", async ({ page }) => {
  await page.goto(`/executions/${exec}?span=${stepId(250)}`);
  const row = tree(page).locator(`[data-span-id="${stepId(250)}"]`);
  await expect(row).toHaveAttribute("aria-selected", "true");
  await expect(row).toBeInViewport();
  await expect(details(page).getByRole("heading", { name: stepName(250) })).toBeVisible();
  // The tree scrolled to it (the first rows are out of view).
  expect(await tree(page).evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
});

test("the tree's keys work as soon as the page loads, and the URL follows the selection", async ({ page }) => {
  await page.goto(`/executions/${exec}`);
  await expect(page.getByRole("heading", { name: `long-run-${run}` })).toBeVisible();
  await expect(tree(page)).toBeFocused();
  // No click first: j selects the first row.
  await page.keyboard.press("j");
  await expect(tree(page).getByRole("treeitem").first()).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => spanParam(page)).toBe(`${exec}-root`);
  await page.keyboard.press("j");
  await expect.poll(() => spanParam(page)).toBe(stepId(0));
  await page.keyboard.press("Enter");
  await expect(details(page).getByRole("heading", { name: stepName(0) })).toBeVisible();
  // With the panel open, moving the selection moves the panel: they never disagree.
  await page.keyboard.press("j");
  await expect(tree(page).locator(`[data-span-id="${stepId(1)}"]`)).toHaveAttribute("aria-selected", "true");
  await expect(details(page).getByRole("heading", { name: stepName(1) })).toBeVisible();
  await expect.poll(() => spanParam(page)).toBe(stepId(1));
  // The address reproduces it.
  await page.reload();
  await expect(tree(page).locator(`[data-span-id="${stepId(1)}"]`)).toHaveAttribute("aria-selected", "true");
  await expect(details(page).getByRole("heading", { name: stepName(1) })).toBeVisible();
  // Escape closes the panel and keeps the selection.
  await tree(page).focus();
  await page.keyboard.press("Escape");
  await expect(details(page)).toHaveCount(0);
  await expect.poll(() => spanParam(page)).toBe(stepId(1));
});

test("a search selects its first match, and the open panel shows that match", async ({ page }) => {
  await page.goto(`/executions/${exec}?span=${stepId(3)}`);
  await expect(details(page).getByRole("heading", { name: stepName(3) })).toBeVisible();
  await tree(page).focus();
  await page.keyboard.press("/");
  await expect(page.getByPlaceholder("Search spans (/)")).toBeFocused();
  await page.keyboard.type("step 142");
  const match = tree(page).locator(`[data-span-id="${stepId(142)}"]`);
  await expect(match).toHaveAttribute("aria-selected", "true");
  await expect(match).toBeInViewport();
  await expect(details(page).getByRole("heading", { name: stepName(142) })).toBeVisible();
  await expect.poll(() => spanParam(page)).toBe(stepId(142));
});

test("waterfall duration labels stay on one line inside their cell", async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 800 });
  await page.goto(`/executions/${exec}`);
  const labels = tree(page).getByTestId("span-duration");
  await expect(labels.first()).toBeVisible();
  const boxes = await labels.evaluateAll((els) =>
    els.map((el) => {
      const own = el.getBoundingClientRect();
      const cell = (el.parentElement as HTMLElement).getBoundingClientRect();
      return { text: el.textContent, height: own.height, left: own.left - cell.left, right: cell.right - own.right };
    }),
  );
  expect(boxes.length).toBeGreaterThan(10);
  for (const b of boxes) {
    expect(b.height, `${b.text} wraps`).toBeLessThanOrEqual(16);
    expect(b.left, `${b.text} leaves its cell on the left`).toBeGreaterThanOrEqual(-0.5);
    expect(b.right, `${b.text} leaves its cell on the right`).toBeGreaterThanOrEqual(-0.5);
  }
});
