import { expect, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

const XSS = [
  `<script>window.__pwned = "script"</script>`,
  `<img src=x onerror="window.__pwned='img'">`,
  `javascript:window.__pwned='link'`,
  `"><svg onload="window.__pwned='svg'">`,
  `{{constructor.constructor('window.__pwned=1')()}}`,
].join(" ");

test("script and HTML in every field of a trace render as inert text", async ({ page, request, browser }) => {
  const run = unique();
  const keyPage = await browser.newPage();
  const key = await createApiKey(keyPage, `hostile-${run}`);
  await keyPage.close();
  const exec = `hostile-${run}`;
  const nasty = { [XSS]: XSS, nested: { [`<b onmouseover=alert(1)>k</b>`]: [XSS] } };
  await sendTraces(request, key, [
    {
      id: `${exec}-root`,
      executionId: exec,
      type: "agent_execution",
      name: `root ${XSS}`,
      agent: `agent ${XSS}`.slice(0, 200),
      threadId: `thread ${XSS}`.slice(0, 200),
      startedAt: at(0),
      endedAt: at(100),
      input: nasty,
      output: XSS,
      metadata: nasty,
      error: { name: XSS.slice(0, 200), message: XSS, stack: XSS },
    },
    {
      id: `${exec}-child`,
      executionId: exec,
      parentId: `${exec}-root`,
      type: `custom ${XSS}`.slice(0, 60),
      name: XSS.slice(0, 250),
      startedAt: at(10),
      endedAt: at(20),
      input: XSS,
      http: { method: "GET", url: `javascript:window.__pwned='http'` },
    },
    {
      id: `${exec}-llm`,
      executionId: exec,
      parentId: `${exec}-root`,
      type: "llm_call",
      name: "llm",
      startedAt: at(30),
      endedAt: at(40),
      llm: { model: XSS.slice(0, 200), promptName: XSS.slice(0, 200), variables: nasty, config: nasty },
    },
    {
      id: `${exec}-msg`,
      executionId: exec,
      parentId: `${exec}-root`,
      type: "conversation_message",
      name: "user",
      startedAt: at(50),
      endedAt: at(50),
      message: { role: "user", content: XSS },
    },
  ]);

  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto(`/executions?q=${encodeURIComponent(exec)}`);
  await expect(page.getByTestId("executions-table").locator("tbody tr")).toHaveCount(1);
  await page.getByTestId("executions-table").getByRole("link").first().click();
  // It has a message, so it opens as a chat: the message's HTML is text there too.
  const bubble = page.getByTestId("chat-bubble");
  await expect(bubble).toHaveCount(1);
  await expect(bubble).toContainText("<img src=x onerror=");
  await bubble.click();
  await expect(page.getByRole("complementary", { name: "Span details" })).toBeVisible();
  await page.getByRole("tab", { name: "Trace tree" }).click();
  const tree = page.getByTestId("trace-tree");
  await expect(tree.getByRole("treeitem")).toHaveCount(4);
  for (const item of await tree.getByRole("treeitem").all()) {
    await item.click();
    await expect(page.getByRole("complementary", { name: "Span details" })).toBeVisible();
  }
  // The raw text is shown, not interpreted.
  await expect(page.getByRole("heading", { level: 1 })).toContainText("<script>");
  await expect(page.getByRole("complementary", { name: "Span details" })).toContainText("<img src=x onerror=");

  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
  await expect(page.locator('img[src="x"], svg[onload], script:not([src]):has-text("__pwned")')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);

  // The page still works.
  await page.getByRole("link", { name: "Executions" }).click();
  await expect(page).toHaveURL(/\/executions$/);
});
