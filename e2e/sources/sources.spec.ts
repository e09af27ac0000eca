import { expect, test } from "@playwright/test";
import { createApiKey, unique } from "../support/seed.ts";

// Every source shows up on Settings › Sources with its last received time, and the executions list
// tells sources apart (badge) and filters by them (kept in the URL).
test("Sources: last received time per source, source badge and filter on Executions", async ({ page, request }) => {
  const key = await createApiKey(page, `sources-${unique()}`);
  const traceId = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
  const service = `otel-e2e-${unique()}`;
  const now = BigInt(Date.now()) * 1_000_000n;

  await test.step("an OpenTelemetry trace (OTLP/JSON) and a Cloudflare TraceItem arrive", async () => {
    const otlp = await request.post("/api/otel/v1/traces", {
      headers: { "x-runlens-api-key": key, "content-type": "application/json" },
      data: {
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: "00f067aa0ba902b7",
                    name: "answer question",
                    kind: 1,
                    startTimeUnixNano: String(now - 2_000_000_000n),
                    endTimeUnixNano: String(now),
                    status: {},
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    expect(otlp.status()).toBe(200);
    const cf = await request.post("/api/v1/ingest/cloudflare", {
      headers: { authorization: `Bearer ${key}` },
      data: [
        {
          scriptName: `worker-e2e-${unique()}`,
          outcome: "ok",
          eventTimestamp: Date.now() - 1000,
          event: { request: { method: "GET", url: "https://example.com/", headers: {} }, response: { status: 200 } },
          logs: [],
          exceptions: [],
          diagnosticsChannelEvents: [],
        },
      ],
    });
    expect(cf.status()).toBe(207);
  });

  await test.step("Settings › Sources shows when each arrived", async () => {
    await page.goto("/settings/sources");
    for (const [source, title] of [
      ["otlp", "OpenTelemetry"],
      ["cloudflare", "Cloudflare"],
    ] as const) {
      const card = page.locator(`[data-source="${source}"]`);
      await expect(card.getByRole("heading", { name: title })).toBeVisible();
      await expect(card.getByTestId(`last-received-${source}`)).toContainText(
        /Last received \d+ (second|minute)s? ago/,
      );
    }
    await expect(page.locator('[data-source="otlp"]')).toContainText("OTEL_EXPORTER_OTLP_ENDPOINT=");
    await expect(page.locator('[data-source="cloudflare"]')).toContainText("/api/v1/ingest/cloudflare");
  });

  await test.step("the executions list filters by source, in the URL", async () => {
    await page.goto("/executions");
    // Selects are disabled until the page hydrates (a choice made before would be lost), and
    // selectOption waits for them to be enabled.
    await page.getByLabel("Source").selectOption("otlp");
    await expect(page).toHaveURL(/source=otlp/);
    const rows = page.locator("tbody tr");
    await expect(rows.filter({ hasText: "answer question" }).first()).toBeVisible();
    await expect(rows.filter({ hasText: "Cloudflare" })).toHaveCount(0);
    // The source column is one the Columns menu shows where the table has room for it.
    await page.getByLabel("Columns", { exact: true }).click();
    const sourceColumn = page.getByRole("checkbox", { name: "Source" });
    if (!(await sourceColumn.isChecked())) await sourceColumn.check();
    await page.keyboard.press("Escape");
    await expect(rows.first()).toContainText("OpenTelemetry");
    await page.reload();
    await expect(page.getByLabel("Source")).toHaveValue("otlp");
  });
});
