import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { createApiKey, unique } from "../support/seed.ts";

/**
 * An OpenTelemetry GenAI chat (OTLP/JSON, as an instrumented client exports it): two LLM calls
 * around a tool call. The execution opens as a chat, and the LLM span's panel shows the user's
 * question and the model's answer as text, nothing to expand.
 */

const run = unique();
const traceId = randomBytes(16).toString("hex");
const ROOT = randomBytes(8).toString("hex");
const CALL_1 = randomBytes(8).toString("hex");
const CALL_2 = randomBytes(8).toString("hex");
const QUESTION = `Weather in Paris for trip ${run}?`;
const ANSWER = `It is 21 °C in Paris (${run}).`;

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const json = (key: string, v: unknown) => str(key, JSON.stringify(v));
const user = { role: "user", parts: [{ type: "text", content: QUESTION }] };
const toolCall = {
  role: "assistant",
  parts: [{ type: "tool_call", id: "call-1", name: "weather", arguments: { city: "Paris" } }],
};
const toolResult = { role: "tool", parts: [{ type: "tool_call_response", id: "call-1", response: { tempC: 21 } }] };
const answer = { role: "assistant", parts: [{ type: "text", content: ANSWER }] };
// Trace content is hostile: markup stays text, a script URI is never a source.
const HOSTILE = `<img src=x onerror="window.__pwned=1">`;
const hostile = {
  role: "user",
  parts: [
    { type: "text", content: HOSTILE },
    { type: "uri", modality: "image", uri: "javascript:window.__pwned=2" },
  ],
};

function span(id: string, parent: string, name: string, fromMs: number, toMs: number, attributes: object[]) {
  const base = BigInt(Date.now() - 60_000) * 1_000_000n;
  return {
    traceId,
    spanId: id,
    parentSpanId: parent,
    name,
    kind: 1,
    startTimeUnixNano: String(base + BigInt(fromMs) * 1_000_000n),
    endTimeUnixNano: String(base + BigInt(toMs) * 1_000_000n),
    attributes,
    status: {},
  };
}

const llm = (input: unknown[], output: unknown[]) => [
  str("gen_ai.operation.name", "chat"),
  str("gen_ai.request.model", "gpt-4o"),
  str("gen_ai.conversation.id", `otel-thread-${run}`),
  json("gen_ai.system_instructions", [{ type: "text", content: "Be brief." }]),
  json("gen_ai.input.messages", input),
  json("gen_ai.output.messages", output),
  { key: "gen_ai.usage.input_tokens", value: { intValue: "12" } },
  { key: "gen_ai.usage.output_tokens", value: { intValue: "8" } },
];

test("an OTel GenAI chat opens as a chat and its LLM span shows question and answer as text", async ({
  page,
  request,
}) => {
  const key = await createApiKey(page, `otel-chat-${run}`);
  const res = await request.post("/api/otel/v1/traces", {
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    data: {
      resourceSpans: [
        {
          resource: { attributes: [str("service.name", `otel-chat-${run}`)] },
          scopeSpans: [
            {
              scope: { name: "e2e" },
              spans: [
                span(ROOT, "", "weather agent", 0, 2000, []),
                span(CALL_1, ROOT, "chat gpt-4o", 10, 500, llm([user], [toolCall])),
                span(CALL_2, ROOT, "chat gpt-4o", 800, 1500, llm([hostile, user, toolCall, toolResult], [answer])),
              ],
            },
          ],
        },
      ],
    },
  });
  expect(res.status()).toBe(200);

  await page.goto(`/executions/${traceId}`);
  await expect(page.getByRole("tab", { name: "Chat" })).toHaveAttribute("aria-selected", "true");
  const bubbles = page.getByTestId("chat-bubble");
  // system, user, the tool call, the tool result, the answer: each once.
  await expect(bubbles).toHaveCount(5);
  await expect(bubbles.filter({ hasText: QUESTION })).toHaveCount(1);
  await expect(bubbles.filter({ hasText: QUESTION })).toBeVisible();
  await expect(bubbles.filter({ hasText: ANSWER })).toBeVisible();
  await expect(bubbles.nth(2).getByTestId("tool-call-card")).toContainText('"city": "Paris"');

  // The answer's bubble opens the LLM call it came from: its turns are visible text.
  await bubbles.filter({ hasText: ANSWER }).click();
  const panel = page.getByRole("complementary", { name: "Span details" });
  await expect(panel.getByTestId("llm-panel")).toContainText("gpt-4o");
  const input = panel.getByRole("region", { name: "Input messages" });
  const output = panel.getByRole("region", { name: "Output messages" });
  await expect(input.getByText(QUESTION)).toBeVisible();
  await expect(input.locator('[data-role="system"]')).toContainText("Be brief.");
  await expect(input.getByTestId("tool-result-card")).toContainText('"tempC": 21');
  await expect(output.getByText(ANSWER)).toBeVisible();
  await expect(input.getByText(HOSTILE)).toBeVisible();
  await expect(input.locator("img")).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

  // The bubble's link opens the span in the tree (`?span=`).
  await bubbles.filter({ hasText: QUESTION }).getByTestId("bubble-source").click();
  await expect(page).toHaveURL(new RegExp(`span=${CALL_1}`));
  await expect(page.getByRole("tab", { name: "Trace tree" })).toHaveAttribute("aria-selected", "true");
  await expect(
    page.getByRole("complementary", { name: "Span details" }).getByRole("region", { name: "Output messages" }),
  ).toContainText("weather");
});
