import { expect, test } from "@playwright/test";

// A page whose server and browser renders differ makes React throw away the server's HTML and render
// everything again (a flash, lost input, and a "Minified React error #418" on the page).
const PAGES = [
  "/executions",
  "/threads",
  "/metrics",
  "/reviews",
  "/settings/sources",
  "/settings/ingestion",
  "/settings/api-keys",
  "/settings/redaction",
  "/settings/members",
  "/settings/account",
];

test("every portal page hydrates without errors", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  for (const path of PAGES) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
  }
  expect(errors).toEqual([]);
});
