import type { APIRequestContext, Page } from "@playwright/test";
import { fetchFromPage } from "./api.ts";

/** An API key of the signed-in user's workspace, created the way the UI does. */
export async function createApiKey(page: Page, label: string): Promise<string> {
  if (page.url() === "about:blank") await page.goto("/executions");
  const res = await fetchFromPage(page, "/api/v1/api-keys", { method: "POST", body: { label } });
  if (res.status !== 201) throw new Error(`could not create an API key: ${res.status}`);
  return (res.body as { secret: string }).secret;
}

/** Sends traces like the SDK does and fails loudly when any is rejected. */
export async function sendTraces(request: APIRequestContext, key: string, traces: Record<string, unknown>[]) {
  const res = await request.post("/api/v1/runtime/v1/observability/traces", {
    headers: { authorization: `Bearer ${key}` },
    data: { traces },
  });
  const body = await res.json();
  if (res.status() !== 207 || body.rejected > 0) throw new Error(`ingest refused: ${JSON.stringify(body)}`);
  return body;
}

export const unique = () => Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);
export const at = (offsetMs: number, base = Date.now() - 60_000) => new Date(base + offsetMs).toISOString();

/** The records of an execution that is a two-turn chat (a user message, then the assistant's), alone in `thread`. */
export function chatRun(o: {
  exec: string;
  name: string;
  agent: string;
  thread: string;
  endMs: number;
  user: string;
  assistant: string;
}): Record<string, unknown>[] {
  const turn = (n: number, role: "user" | "assistant", content: string, ms: number) => ({
    id: `${o.exec}-m${n}`,
    executionId: o.exec,
    parentId: o.exec,
    type: "conversation_message",
    name: role,
    startedAt: at(ms),
    endedAt: at(ms),
    message: { role, content },
  });
  return [
    {
      id: o.exec,
      executionId: o.exec,
      type: "agent_execution",
      name: o.name,
      agent: o.agent,
      threadId: o.thread,
      startedAt: at(0),
      endedAt: at(o.endMs),
    },
    turn(1, "user", o.user, 10),
    turn(2, "assistant", o.assistant, 900),
  ];
}
