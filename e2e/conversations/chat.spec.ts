import { expect, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

test.describe.configure({ mode: "serial" });

const run = unique();
const thread = `wa-5511${run}`;
let key = "";

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  key = await createApiKey(page, `chat-${run}`);
  await page.close();
});

/** The WhatsApp flow of the SDK document: user sends a CPF, span verify_cpf, two assistant replies. */
test("a WhatsApp-style execution opens as chat, bubbles on the right sides, rich content rendered", async ({
  page,
  request,
}) => {
  const exec = `wa-exec-${run}`;
  await sendTraces(request, key, [
    {
      id: `${exec}-turn`,
      executionId: exec,
      type: "custom_event",
      name: "turn",
      agent: "atendimento",
      threadId: thread,
      startedAt: at(0),
      endedAt: at(900),
    },
    {
      id: `${exec}-m1`,
      executionId: exec,
      parentId: `${exec}-turn`,
      type: "conversation_message",
      name: "user",
      startedAt: at(10),
      endedAt: at(10),
      message: { role: "user", content: "48337725826" },
    },
    {
      id: `${exec}-verify`,
      executionId: exec,
      parentId: `${exec}-turn`,
      type: "custom_event",
      name: "verify_cpf",
      startedAt: at(20),
      endedAt: at(300),
    },
    {
      id: `${exec}-log`,
      executionId: exec,
      parentId: `${exec}-verify`,
      type: "log",
      name: "cpf_verified",
      startedAt: at(290),
      endedAt: at(290),
      output: { user_exists: true },
    },
    {
      id: `${exec}-m2`,
      executionId: exec,
      parentId: `${exec}-turn`,
      type: "conversation_message",
      name: "assistant",
      startedAt: at(400),
      endedAt: at(400),
      message: { role: "assistant", content: "Bem-vindo de volta, **Ana**!" },
    },
    {
      id: `${exec}-m3`,
      executionId: exec,
      parentId: `${exec}-turn`,
      type: "conversation_message",
      name: "assistant",
      startedAt: at(410),
      endedAt: at(410),
      message: {
        role: "assistant",
        content: {
          type: "buttons",
          text: "O que deseja?",
          items: [
            { id: "support", label: "Suporte" },
            { id: "sales", label: "Vendas" },
          ],
        },
      },
    },
    {
      id: `${exec}-m4`,
      executionId: exec,
      parentId: `${exec}-turn`,
      type: "conversation_message",
      name: "assistant",
      startedAt: at(420),
      endedAt: at(420),
      message: {
        role: "assistant",
        content: {
          type: "image",
          url: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
          caption: "Seu boleto",
        },
      },
    },
  ]);
  await page.goto(`/executions/${exec}`);
  const bubbles = page.getByTestId("chat-bubble");
  await expect(bubbles).toHaveCount(4);
  await expect(page.getByRole("tab", { name: "Chat" })).toHaveAttribute("aria-selected", "true");

  // User on the left, assistant on the right.
  const box = async (i: number) => (await bubbles.nth(i).boundingBox())!;
  const chat = (await page.getByTestId("chat-view").boundingBox())!;
  expect((await box(0)).x - chat.x).toBeLessThan(40);
  expect(chat.x + chat.width - ((await box(1)).x + (await box(1)).width)).toBeLessThan(40);
  await expect(bubbles.nth(0)).toHaveAttribute("data-role", "user");
  await expect(bubbles.nth(1)).toContainText("Bem-vindo de volta, Ana!");
  await expect(bubbles.nth(1).locator("strong")).toHaveText("Ana");

  // Buttons are real buttons; the image is an image.
  await expect(bubbles.nth(2).getByRole("button", { name: "Suporte" })).toBeVisible();
  await expect(bubbles.nth(2).getByRole("button", { name: "Vendas" })).toBeVisible();
  await expect(bubbles.nth(3).getByRole("img", { name: "Seu boleto" })).toBeVisible();

  // A bubble opens the drawer with every trace of the execution, its own span selected.
  await bubbles.nth(1).click();
  const drawerTree = page.getByTestId("message-drawer-tree");
  await expect(drawerTree.getByRole("treeitem")).toHaveCount(7);
  await expect(drawerTree.getByRole("treeitem", { selected: true })).toContainText("assistant");
  await expect(page.getByRole("complementary", { name: "Span details" })).toContainText("Bem-vindo de volta");

  // The toggle goes back to the tree.
  await page.getByRole("tab", { name: "Trace tree" }).click();
  await expect(page.getByTestId("trace-tree").getByRole("treeitem").filter({ hasText: "verify_cpf" })).toBeVisible();
});

test("the threads sidebar previews the last message and a new message appears without reload", async ({
  page,
  request,
}) => {
  await page.goto(`/threads?q=${encodeURIComponent(thread)}`);
  const item = page.getByTestId("thread-item").filter({ hasText: thread });
  await expect(item.getByTestId("thread-preview")).toHaveText("↪ [Image] Seu boleto");
  await item.click();
  await expect(page).toHaveURL(new RegExp(`/threads/${thread}`));
  await expect(page.getByTestId("chat-bubble")).toHaveCount(4);
  await page.waitForTimeout(500); // subscribed to live updates

  const exec = `wa-exec2-${run}`;
  await sendTraces(request, key, [
    {
      id: `${exec}-m1`,
      executionId: exec,
      type: "conversation_message",
      name: "user",
      agent: "atendimento",
      threadId: thread,
      startedAt: at(0, Date.now()),
      endedAt: at(0, Date.now()),
      message: { role: "user", content: "Quero falar com o suporte" },
    },
  ]);
  await expect(page.getByTestId("chat-bubble")).toHaveCount(5);
  await expect(page.getByTestId("chat-bubble").last()).toContainText("Quero falar com o suporte");
  await expect(page.getByTestId("execution-boundary")).toHaveCount(2);
  await expect(item.getByTestId("thread-preview")).toHaveText("Quero falar com o suporte");
});

test("hostile markdown and HTML in messages render inert", async ({ page, request }) => {
  const exec = `xss-chat-${run}`;
  const evil = [
    "[click](javascript:window.__pwned=1)",
    "<img src=x onerror=window.__pwned=2>",
    "<script>window.__pwned=3</script>",
    "![pic](javascript:window.__pwned=4)",
  ].join("\n\n");
  await sendTraces(request, key, [
    {
      id: `${exec}-m1`,
      executionId: exec,
      type: "conversation_message",
      name: "assistant",
      agent: "atendimento",
      startedAt: at(0),
      endedAt: at(0),
      message: { role: "assistant", content: evil },
    },
    {
      id: `${exec}-m2`,
      executionId: exec,
      type: "conversation_message",
      name: "assistant",
      agent: "atendimento",
      startedAt: at(5),
      endedAt: at(5),
      message: { role: "assistant", content: { type: "image", url: "javascript:window.__pwned=5", caption: "x" } },
    },
    {
      id: `${exec}-m3`,
      executionId: exec,
      type: "conversation_message",
      name: "assistant",
      agent: "atendimento",
      startedAt: at(6),
      endedAt: at(6),
      message: {
        role: "assistant",
        content: { type: "file", url: "javascript:window.__pwned=6", name: "<b>f</b>.pdf" },
      },
    },
  ]);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`/executions/${exec}`);
  await expect(page.getByTestId("chat-bubble")).toHaveCount(3);
  for (const link of await page.getByTestId("chat-view").getByRole("link").all()) {
    await link.click({ modifiers: ["Control"] }).catch(() => undefined);
  }
  await expect(
    page.locator(
      '[data-testid=chat-view] a[href^="javascript:"], [data-testid=chat-view] img[src^="javascript:"], [data-testid=chat-view] img[src="x"]',
    ),
  ).toHaveCount(0);
  await expect(page.getByTestId("chat-view").locator("script")).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await expect(page.getByTestId("chat-bubble").nth(2)).toContainText("<b>f</b>.pdf");
});
