import { expect, type Page, test } from "@playwright/test";
import { fetchFromPage } from "../support/api.ts";
import { at, chatRun, createApiKey, sendTraces, unique } from "../support/seed.ts";

// Issue #20 item 2: the portal at a laptop's and a phone's width. Each test starts with a fresh
// browser context, so nothing remembered by another test (sidebar, columns) leaks in.

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1440, height: 900 };

const run = unique();
const exec = `resp-${run}`;
const thread = `resp-thread-${run}`;
const comment = `Responsive check ${run}: the answer ignores the question about delivery`;
let reviewId = "";

test.beforeAll(async ({ browser, request }) => {
  const page = await browser.newPage();
  const key = await createApiKey(page, `responsive-${run}`);
  await sendTraces(
    request,
    key,
    chatRun({
      exec,
      name: `responsive-run-${run}`,
      agent: "responsive-bot",
      thread,
      endMs: 1200,
      user: "When does my parcel arrive?",
      assistant: "Our shop opens at nine.",
    }),
  );
  const res = await fetchFromPage(page, "/api/v1/runtime/v1/reviews", {
    method: "POST",
    body: { executionId: exec, agentId: "responsive-bot", rating: "bad", comment, tags: [run] },
  });
  expect(res.status).toBe(201);
  reviewId = (res.body as { reviewId: string }).reviewId;
  await page.close();
});

const sidebarWidth = async (page: Page) => (await page.getByTestId("sidebar").boundingBox())?.width ?? 0;

test("the sidebar collapses to an icon rail, and stays so after a reload until expanded", async ({ page }) => {
  await page.setViewportSize(LAPTOP);
  await page.goto("/overview");
  expect(await sidebarWidth(page)).toBeGreaterThan(200);
  await page.getByRole("button", { name: "Collapse sidebar" }).click();
  await expect.poll(() => sidebarWidth(page)).toBeLessThan(80);
  // The rail still navigates, by icon.
  await expect(page.getByTestId("sidebar").getByRole("link", { name: "Executions" })).toBeVisible();

  await page.reload();
  await expect(page.getByRole("button", { name: "Expand sidebar" })).toBeVisible();
  expect(await sidebarWidth(page)).toBeLessThan(80);
  await page.getByRole("button", { name: "Expand sidebar" }).click();
  await expect.poll(() => sidebarWidth(page)).toBeGreaterThan(200);
  await page.reload();
  await expect(page.getByRole("button", { name: "Collapse sidebar" })).toBeVisible();
  expect(await sidebarWidth(page)).toBeGreaterThan(200);
});

test("on a phone the navigation is a drawer behind the menu button, closed once a page is picked", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto("/overview");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();
  await page.getByRole("button", { name: "Open menu" }).click();
  await expect(nav).toBeVisible();
  await nav.getByRole("link", { name: "Threads" }).click();
  await expect(page).toHaveURL(/\/threads$/);
  await expect(page.getByRole("heading", { level: 1, name: "Threads" })).toBeVisible();
  await expect(nav).toBeHidden();
  // Escape closes it too.
  await page.getByRole("button", { name: "Open menu" }).click();
  await expect(nav).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(nav).toBeHidden();
});

test("the executions table keeps the essentials on a phone and hides or shows the rest from its column menu", async ({
  page,
}) => {
  const table = page.getByTestId("executions-table");
  const headers = table.locator("thead th");
  await page.setViewportSize(PHONE);
  await page.goto(`/executions?q=responsive-run-${run}`);
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(headers).toHaveText([/Started/i, /Name/i, /Status/i, /Duration/i]);
  // The agent is not lost with its column: it is under the name.
  await expect(table.getByTestId("row-agent")).toHaveText("responsive-bot");

  await page.setViewportSize(LAPTOP);
  await expect(headers.filter({ hasText: /Tokens/i })).toBeVisible();
  await page.getByLabel("Columns", { exact: true }).click();
  await page.getByRole("checkbox", { name: "Tokens" }).uncheck();
  await expect(headers.filter({ hasText: /Tokens/i })).toHaveCount(0);
  await expect(page.getByRole("checkbox", { name: "Status" })).toBeDisabled();
  await page.reload();
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(headers.filter({ hasText: /Cost/i })).toBeVisible();
  await expect(headers.filter({ hasText: /Tokens/i })).toHaveCount(0);
  await page.getByLabel("Columns", { exact: true }).click();
  await page.getByRole("checkbox", { name: "Tokens" }).check();
  await expect(headers.filter({ hasText: /Tokens/i })).toBeVisible();
});

test("a review queue row shows the reviewer's comment and the execution id, which copies", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto(`/reviews?tag=${run}`);
  const row = page.getByTestId("review-row");
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("review-comment")).toBeVisible();
  await expect(row.getByTestId("review-comment")).toContainText(`Responsive check ${run}`);
  await expect(row.getByTestId("review-execution")).toHaveText(exec);
  await row.getByRole("button", { name: "Copy id" }).click();
  await expect(page.getByText("Copied to the clipboard")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(exec);
  // Copying did not open the review; a click on the row does.
  await expect(page).toHaveURL(/\/reviews\?tag=/);
  await row.getByTestId("review-comment").click();
  await expect(page).toHaveURL(new RegExp(`/reviews/${reviewId}`));
});

test("on a phone the review page opens on its form, above the execution", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto(`/reviews/${reviewId}`);
  const form = page.getByRole("heading", { level: 1, name: "Review", exact: true });
  await expect(form).toBeInViewport();
  await expect(page.getByLabel("Corrected output")).toBeVisible();
  const execution = page.getByRole("heading", { name: `responsive-run-${run}` });
  await expect(execution).toBeVisible();
  const formTop = (await form.boundingBox())?.y ?? Number.POSITIVE_INFINITY;
  const executionTop = (await execution.boundingBox())?.y ?? 0;
  expect(formTop).toBeLessThan(executionTop);
});

test("on a phone the chat comes first, with no empty panel, and a message's span opens below it", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto(`/executions/${exec}`);
  await expect(page.getByTestId("chat-bubble")).toHaveCount(2);
  await expect(page.getByText("Click a message to see its trace")).toBeHidden();
  await page.getByTestId("chat-bubble").first().click();
  const tree = page.getByTestId("message-drawer-tree");
  await expect(tree).toBeVisible();
  const chatBottom = await page.getByTestId("chat-view").evaluate((el) => el.getBoundingClientRect().bottom);
  expect((await tree.boundingBox())?.y ?? 0).toBeGreaterThanOrEqual(chatBottom);

  // A thread on a phone: its conversation, not the list of threads above it, with the way back.
  await page.goto(`/threads/${thread}`);
  await expect(page.getByTestId("chat-bubble").first()).toBeInViewport();
  await expect(page.getByRole("navigation", { name: "Threads" })).toBeHidden();
  await page.getByRole("link", { name: "All threads" }).click();
  await expect(page.getByTestId("thread-item").first()).toBeVisible();
});

test("on Sources the Copy buttons sit beside the code, never over it", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto("/settings/sources");
  const blocks = page.getByTestId("code-block");
  await expect(blocks.first()).toBeVisible();
  for (const block of await blocks.all()) {
    const code = await block.locator("pre").boundingBox();
    const copy = await block.getByRole("button", { name: "Copy" }).boundingBox();
    expect(code && copy, "both are laid out").toBeTruthy();
    expect(copy!.x).toBeGreaterThanOrEqual(code!.x + code!.width - 1);
  }
});

/** Holds every request matching `path` until the returned function is called. */
async function hold(page: Page, path: string) {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(
    (url) => url.pathname === path,
    async (route) => {
      await held;
      await route.continue();
    },
  );
  return release;
}

test("Metrics shows the shape of its cards while they load", async ({ page, request }) => {
  const key = await createApiKey(page, `metrics-skeleton-${run}`);
  const agent = `skeleton-bot-${run}`;
  const sent = await request.post("/api/v1/runtime/v1/observability/events", {
    headers: { authorization: `Bearer ${key}` },
    data: { events: [{ name: "order_placed", agent, properties: { amount: 12 }, timestamp: at(0) }] },
  });
  expect(sent.status()).toBeLessThan(300);
  const created = await fetchFromPage(page, "/api/v1/metrics/cards", {
    method: "POST",
    body: { agent, title: "Orders", type: "number", query: { event: "order_placed" } },
  });
  expect(created.status).toBe(201);

  const release = await hold(page, "/api/v1/metrics/cards");
  await page.goto(`/metrics?agent=${agent}`);
  await expect(page.getByRole("status", { name: "Loading cards" })).toBeVisible();
  release();
  await expect(page.getByTestId("card-value")).toHaveText("1");
  await expect(page.getByRole("status", { name: "Loading cards" })).toHaveCount(0);
});

test("a settings panel shows its shape while it loads", async ({ page }) => {
  await page.goto("/overview");
  const release = await hold(page, "/api/v1/members");
  await page.goto("/settings/members");
  await expect(page.getByRole("status", { name: "Loading members" })).toBeVisible();
  release();
  await expect(page.getByRole("cell", { name: /Olivia Owner/ })).toBeVisible();
  await expect(page.getByRole("status", { name: "Loading members" })).toHaveCount(0);
});
