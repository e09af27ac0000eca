import { expect, type Page, test } from "@playwright/test";
import { OWNER, OWNER_STATE } from "../support/env.ts";

// One visitor walks through first-run setup, signs out and back in. The steps share a page and
// depend on each other, so they run in order and stop at the first failure.
test.describe.configure({ mode: "serial" });

let page: Page;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
});

test.afterAll(async () => {
  await page.context().close();
});

test("a fresh install sends the first visitor to setup", async () => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Welcome to Runlens" })).toBeVisible();
});

test("creating the owner opens the empty overview, with sample data on offer", async () => {
  await page.getByLabel("Your name").fill(OWNER.name);
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByLabel("Workspace name").fill(OWNER.workspace);
  await page.getByRole("button", { name: "Create owner account" }).click();

  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByText("No executions in this range")).toBeVisible();
  await expect(page.getByRole("button", { name: "Load sample data" })).toBeVisible();
  await expect(page.getByLabel("Workspace")).toContainText(OWNER.workspace);
});

test("setup is closed once an owner exists", async ({ request }) => {
  const res = await request.get("/api/v1/setup");
  expect(await res.json()).toEqual({ needsSetup: false });
});

test("health reports the embedded database", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok", db: "embedded" });
});

test("signing out returns to the login page", async () => {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // The session is gone: the portal sends the visitor back to sign in.
  await page.goto("/executions");
  await expect(page).toHaveURL(/\/login$/);
});

test("a wrong password is refused", async () => {
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

test("the owner signs in again", async () => {
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByText("No executions in this range")).toBeVisible();

  // The other specs start from this signed-in session.
  await page.context().storageState({ path: OWNER_STATE });
});
