import { expect, type Page, test } from "@playwright/test";
import { createApiKey, unique } from "../support/seed.ts";

const run = unique();
const agent = `shop-${run}`;

async function sendEvents(page: Page, key: string, events: Record<string, unknown>[]) {
  const res = await page.request.post("/api/v1/runtime/v1/observability/events", {
    headers: { authorization: `Bearer ${key}` },
    data: { events: events.map((e) => ({ agent, ...e })) },
  });
  expect((await res.json()).rejected).toBe(0);
}

async function addCard(page: Page, fill: (builder: ReturnType<Page["getByRole"]>) => Promise<void>) {
  await page.getByRole("button", { name: "Add card" }).click();
  const builder = page.getByRole("complementary", { name: "Card builder" });
  await fill(builder);
  await expect(builder.getByTestId("card-preview")).not.toContainText("Pick");
  await builder.getByRole("button", { name: "Save card" }).click();
  await expect(builder).toHaveCount(0);
}

test("a product owner builds one card of each type, arranges them, and sees counts update live", async ({ page }) => {
  test.slow(); // five cards through the builder, two gestures, a reload and a live update
  const key = await createApiKey(page, `metrics-${run}`);
  const now = Date.now();
  await sendEvents(
    page,
    key,
    Array.from({ length: 12 }, (_, i) => ({
      name: "order_placed",
      timestamp: new Date(now - i * 3_600_000).toISOString(),
      // One amount is text: the property is "mixed", and sum cards say non-numbers are ignored.
      properties: {
        amount: i === 11 ? "n/a" : 10 + i,
        category: i % 3 === 0 ? "books" : "toys",
        answered: i % 4 !== 0,
      },
    })),
  );

  await page.goto(`/metrics?agent=${agent}`);
  await addCard(page, async (b) => {
    await b.getByLabel("Title").fill("Orders");
  });
  await addCard(page, async (b) => {
    await b.getByLabel("Title").fill("Answered");
    await b.getByLabel("Type").selectOption("rate");
    await b.getByLabel("Rate of property").selectOption("answered");
    await b.getByLabel("equals").fill("true");
  });
  await addCard(page, async (b) => {
    await b.getByLabel("Title").fill("Revenue");
    await b.getByLabel("Type").selectOption("line");
    await b.getByLabel("Aggregation").selectOption("sum");
    await b.getByLabel("Property", { exact: true }).selectOption("amount");
  });
  await addCard(page, async (b) => {
    await b.getByLabel("Title").fill("By category");
    await b.getByLabel("Type").selectOption("bar");
    await b.getByLabel("Group by (else over time)").selectOption("category");
  });
  await addCard(page, async (b) => {
    await b.getByLabel("Title").fill("Share");
    await b.getByLabel("Type").selectOption("pie");
    await b.getByLabel("Slices by").selectOption("category");
  });

  const card = (title: string) => page.locator(`[data-testid=metric-card][data-card-title="${title}"]`);
  await expect(card("Orders").getByTestId("card-value")).toHaveText("12");
  await expect(card("Answered").getByTestId("card-value")).toHaveText("75.0%");
  await expect(card("Revenue").locator("svg.recharts-surface")).toBeVisible();
  await expect(card("Revenue").getByTestId("mixed-note")).toContainText("non-numeric values are ignored");
  await expect(card("Orders").getByTestId("mixed-note")).toHaveCount(0);
  await expect(card("By category").locator(".recharts-bar-rectangle")).toHaveCount(2);
  await expect(card("Share").locator(".recharts-pie-sector")).toHaveCount(2);

  // New cards filled the first row: "Orders", then "Answered" beside it. Drag "Orders" onto
  // "Answered"'s place (the placeholder shows where it lands, in the accent colour, not an error
  // red), then widen "By category" from its corner; each gesture saves the layout.
  const saved = () =>
    page.waitForResponse((r) => r.url().endsWith("/api/v1/metrics/cards/layout") && r.request().method() === "PUT");
  const orders = (await card("Orders").boundingBox())!;
  const answeredAt = (await card("Answered").boundingBox())!;
  expect(Math.abs(answeredAt.y - orders.y)).toBeLessThan(2);
  const handle = card("Orders").getByLabel("Drag to move");
  const from = (await handle.boundingBox())!;
  let layoutSaved = saved();
  await page.mouse.move(from.x + 5, from.y + 5);
  await page.mouse.down();
  await page.mouse.move(answeredAt.x + 20, answeredAt.y + 10, { steps: 12 });
  const placeholder = page.locator(".react-grid-placeholder");
  await expect(placeholder).toBeVisible();
  const [r, , b] = await placeholder.evaluate((el) => {
    const ctx = document.createElement("canvas").getContext("2d")!;
    ctx.fillStyle = getComputedStyle(el).backgroundColor;
    ctx.fillRect(0, 0, 1, 1);
    return [...ctx.getImageData(0, 0, 1, 1).data];
  });
  expect(b).toBeGreaterThan(r);
  await page.mouse.up();
  await layoutSaved;
  const category = (await card("By category").boundingBox())!;
  const corner = card("By category").locator(".react-resizable-handle");
  const c = (await corner.boundingBox())!;
  layoutSaved = saved();
  await page.mouse.move(c.x + c.width / 2, c.y + c.height / 2);
  await page.mouse.down();
  await page.mouse.move(c.x + 200, c.y + 100, { steps: 12 });
  await page.mouse.up();
  await layoutSaved;

  const moved = (await card("Orders").boundingBox())!;
  expect(moved.x).toBeGreaterThan(orders.x + orders.width - 5);
  const resized = (await card("By category").boundingBox())!;
  expect(resized.width).toBeGreaterThan(category.width + 100);

  await page.reload();
  await expect(card("Orders").getByTestId("card-value")).toHaveText("12");
  expect(Math.abs((await card("Orders").boundingBox())!.x - moved.x)).toBeLessThan(4);
  expect(Math.abs((await card("By category").boundingBox())!.width - resized.width)).toBeLessThan(4);
  await expect(card("Answered").getByTestId("card-value")).toHaveText("75.0%");

  // An event sent while the tab is open updates the count without reload.
  await page.waitForTimeout(500);
  await sendEvents(page, key, [{ name: "order_placed", properties: { amount: 5, category: "books", answered: true } }]);
  await expect(card("Orders").getByTestId("card-value")).toHaveText("13");
});
