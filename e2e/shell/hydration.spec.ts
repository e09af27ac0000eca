import { expect, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

// A page whose server and browser renders differ makes React throw away the server's HTML and render
// everything again (a flash, lost input, and a "Minified React error #418" on the page).
const PAGES = [
  "/overview",
  "/executions",
  "/threads",
  "/metrics",
  "/reviews",
  "/settings/sources",
  "/settings/ingestion",
  "/settings/api-keys",
  "/settings/redaction",
  "/settings/models",
  "/settings/members",
  "/settings/account",
];

// A browser elsewhere than the server: dates and numbers formatted on both sides must agree.
test.use({ timezoneId: "America/Sao_Paulo", locale: "pt-BR" });

test("every portal page hydrates without errors", async ({ page, request }) => {
  // One test walks every page of the portal, one after the other.
  test.slow();
  // An execution with a conversation, so the detail pages have something to render.
  const run = unique();
  const key = await createApiKey(page, `hydration-${run}`);
  await sendTraces(request, key, [
    {
      id: `h-${run}`,
      executionId: `h-${run}`,
      type: "agent_execution",
      name: "hydrate",
      agent: "shell",
      threadId: `h-thread-${run}`,
      startedAt: at(0),
      endedAt: at(500),
      input: { q: "oi" },
      output: { a: "olá" },
    },
    {
      id: `h-${run}-m1`,
      executionId: `h-${run}`,
      parentId: `h-${run}`,
      type: "conversation_message",
      name: "user",
      startedAt: at(10),
      endedAt: at(10),
      message: { role: "user", content: "oi" },
    },
  ]);
  // And a business event, so Metrics shows its dashboard rather than the empty state.
  const events = await request.post("/api/v1/runtime/v1/observability/events", {
    headers: { authorization: `Bearer ${key}` },
    data: { events: [{ agent: "shell", name: "hydration_checked", properties: { ok: true } }] },
  });
  expect((await events.json()).accepted).toBe(1);

  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  for (const path of [...PAGES, "/metrics?agent=shell", `/executions/h-${run}`, `/threads/h-thread-${run}`]) {
    expect((await page.goto(path))?.status(), path).toBe(200);
    await page.waitForLoadState("networkidle");
  }
  expect(errors).toEqual([]);
});
