import { expect, type Page, test } from "@playwright/test";

const darkBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test.describe("a missing page", () => {
  test.beforeEach(async ({ page }) => {
    await page.addInitScript(() => localStorage.setItem("runlens-theme", "dark"));
  });

  test("an unknown address answers 404 inside the portal, in dark mode, with a way back", async ({ page }) => {
    const res = await page.goto("/no-such-page/at-all");
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    // Inside the shell: the sidebar's navigation is there.
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
    // zinc-950, not Next's default white page.
    expect(await darkBackground(page)).not.toBe("rgb(255, 255, 255)");
    const panel = page.getByTestId("status-page");
    const panelBackground = await panel.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(panelBackground).not.toBe("rgb(255, 255, 255)");
    await page.getByRole("link", { name: "Back to the overview" }).click();
    await expect(page).toHaveURL(/\/overview$/);
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  });

  test("an execution that does not exist gets the same page", async ({ page }) => {
    const res = await page.goto("/executions/there-is-no-such-run");
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await page.getByRole("link", { name: "Executions" }).last().click();
    await expect(page).toHaveURL(/\/executions$/);
  });

  test("a signed-out visitor gets the 404 with a link to sign in", async ({ browser }) => {
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    const res = await page.goto("/no-such-page");
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await page.getByRole("link", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await context.close();
  });
});
