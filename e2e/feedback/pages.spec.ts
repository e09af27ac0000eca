import { expect, test } from "@playwright/test";
import { chatRun, createApiKey, sendTraces, unique } from "../support/seed.ts";

test.describe.configure({ mode: "serial" });

const run = unique();
const exec = `fb-${run}`;
const thread = `fb-thread-${run}`;

test.beforeAll(async ({ browser, request }) => {
  const page = await browser.newPage();
  const key = await createApiKey(page, `feedback-${run}`);
  await page.close();
  // One execution with a conversation, alone in its thread.
  await sendTraces(
    request,
    key,
    chatRun({
      exec,
      name: `feedback-run-${run}`,
      agent: "feedback-bot",
      thread,
      endMs: 1500,
      user: "Where is my order?",
      assistant: "It ships tomorrow.",
    }),
  );
});

test("chat bubbles name their role and time; the source is spelled as everywhere; copying is confirmed", async ({
  page,
}) => {
  await page.goto(`/executions/${exec}`);
  const bubbles = page.getByTestId("chat-bubble");
  await expect(bubbles).toHaveCount(2);
  await expect(bubbles.nth(0).getByTestId("bubble-meta")).toContainText(/user\s*\d{1,2}:\d{2}/i);
  await expect(bubbles.nth(1).getByTestId("bubble-meta")).toContainText(/assistant\s*\d{1,2}:\d{2}/i);
  const header = page.locator("main header").first();
  await expect(header.getByText("SDK", { exact: true })).toBeVisible();
  await expect(header.getByText("sdk", { exact: true })).toHaveCount(0);
  await page.getByRole("button", { name: "Copy id" }).first().click();
  await expect(page.getByText("Copied to the clipboard")).toBeVisible();
});

test("Threads has a title, and counts read in the singular for one", async ({ page }) => {
  await page.goto(`/threads?q=${thread}`);
  await expect(page.getByRole("heading", { level: 1, name: "Threads" })).toBeVisible();
  const item = page.getByTestId("thread-item").filter({ hasText: thread });
  await expect(item).toContainText("2 messages · 1 execution");
  await expect(item).not.toContainText("1 executions");
});

test("the execution page shows a skeleton while it loads", async ({ page }) => {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(
    (url) => url.pathname === `/api/v1/observability/executions/${exec}/outline`,
    async (route) => {
      await held;
      await route.continue();
    },
  );
  await page.goto(`/executions/${exec}`);
  await expect(page.getByRole("status", { name: "Loading execution" })).toBeVisible();
  release();
  await expect(page.getByRole("heading", { name: `feedback-run-${run}` })).toBeVisible();
  await expect(page.getByRole("status", { name: "Loading execution" })).toHaveCount(0);
});

test("a click on an executions row is acknowledged at once, before the page answers", async ({ page }) => {
  await page.goto(`/executions?q=feedback-run-${run}`);
  const row = page
    .getByTestId("executions-table")
    .locator("tbody tr")
    .filter({ hasText: `feedback-run-${run}` });
  await expect(row).toHaveCount(1);
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  // Hold the page's answer (not prefetches) until the pending state has been seen.
  await page.route(
    (url) => url.pathname === `/executions/${exec}`,
    async (route) => {
      if (!route.request().headers()["next-router-prefetch"]) await held;
      await route.continue();
    },
  );
  await row.locator("td").first().click(); // the date cell: anywhere on the row opens it
  await expect(row.getByRole("status")).toHaveText("Opening…");
  release();
  await expect(page).toHaveURL(new RegExp(`/executions/${exec}$`));
  await expect(page.getByRole("heading", { name: `feedback-run-${run}` })).toBeVisible();
});

test("every page links its icon, which exists", async ({ page, request }) => {
  await page.goto("/overview");
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  const icon = await request.get(href ?? "");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
});

test("the sign-in page keeps the password reset command behind “Forgot your password?”", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByText(/reset-password/)).toBeHidden();
  await page.getByText("Forgot your password?").click();
  await expect(page.getByText(/reset-password/)).toBeVisible();
  await context.close();
});
