// Synthetic SDK traffic for the ingest benchmark: executions of 20–50 spans, about 1 KB of JSON
// a span, a realistic mix of span types (llm_call with usage, tool calls, messages, errors…).
// Deterministic: the same N always gives the same spans.
import { seededRandom as rng } from "../tests/helpers/random.ts";

const WORDS =
  "the order customer refund policy shipping address invoice payment status delivery account product support request warehouse tracking number billing plan upgrade cancel subscription renewal discount coupon question answer summary context document search result weather booking flight hotel schedule meeting calendar reminder email draft reply follow up escalate ticket priority".split(
    " ",
  );
const AGENTS = ["support-agent", "billing-agent", "sales-assistant", "ops-workflow", "research-agent"];
const MODELS = [
  ["gpt-4o-mini", "openai"],
  ["gpt-4.1", "openai"],
  ["claude-sonnet-4", "anthropic"],
  ["gemini-2.5-flash", "google"],
] as const;
const TOOLS = ["search_orders", "lookup_customer", "create_ticket", "send_email", "get_weather", "calculator"];
const STEP_TYPES = ["function", "agent", "connector", "condition", "switch", "foreach", "parallel"];
const CHILD_TYPES: [string, number][] = [
  ["llm_call", 35],
  ["tool_call", 20],
  ["memory", 8],
  ["workflow_step", 10],
  ["http_call", 8],
  ["log", 8],
  ["conversation_message", 8],
  ["custom_event", 3],
];
const CHILD_WEIGHT = CHILD_TYPES.reduce((a, [, w]) => a + w, 0);

export type Wire = Record<string, unknown>;

export function makeData(total: number) {
  const r = rng(20261121);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const text = (chars: number) => {
    let s = "";
    while (s.length < chars) s += (s ? " " : "") + pick(WORDS);
    return s;
  };
  const hex = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(r() * 16)];
    return s;
  };
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const childType = () => {
    let x = r() * CHILD_WEIGHT;
    for (const [t, w] of CHILD_TYPES) {
      x -= w;
      if (x < 0) return t;
    }
    return "log";
  };

  const spans: Wire[] = [];
  const base = Date.UTC(2026, 10, 1, 8, 0, 0);
  let exec = 0;
  while (spans.length < total) {
    const size = Math.min(int(20, 50), total - spans.length);
    const executionId = `ex_${uuid()}`;
    const agent = pick(AGENTS);
    const threadId = `th_${int(1, 2000)}`;
    const t0 = base + exec * 3_000 + int(0, 999);
    const rootId = uuid();
    const failed = r() < 0.04;
    const rootEnd = t0 + size * 120 + int(0, 500);
    spans.push({
      id: rootId,
      executionId,
      parentId: null,
      type: exec % 3 === 2 ? "workflow_execution" : "agent_execution",
      name: `${agent} run`,
      agent,
      threadId,
      sessionId: `sess_${hex(10)}`,
      companyId: `co_${int(1, 40)}`,
      identify: { type: "customer", value: `cust_${int(1, 5000)}` },
      status: failed ? "error" : "success",
      startedAt: new Date(t0).toISOString(),
      endedAt: new Date(rootEnd).toISOString(),
      input: { message: text(220), channel: pick(["web", "whatsapp", "email"]) },
      output: failed ? null : { answer: text(260), confidence: Math.round(r() * 100) / 100 },
      error: failed ? { name: "AgentError", message: `upstream failed: ${text(60)}` } : undefined,
      metadata: { env: "production", version: `1.${int(0, 9)}.${int(0, 20)}`, region: pick(["us-east", "eu-west"]) },
    });
    const ids = [rootId];
    for (let i = 1; i < size; i++) {
      const type = childType();
      const id = uuid();
      const start = t0 + i * 110 + int(0, 50);
      const end = start + int(5, 2000);
      const parentId = ids.length > 3 && r() < 0.3 ? pick(ids.slice(1)) : rootId;
      const s: Wire = {
        id,
        executionId,
        parentId,
        type,
        name: type,
        startedAt: new Date(start).toISOString(),
        endedAt: new Date(end).toISOString(),
        metadata: { attempt: int(1, 3), tags: [pick(WORDS), pick(WORDS)], host: `worker-${int(1, 12)}` },
      };
      if (type === "llm_call") {
        const [model, provider] = pick(MODELS);
        const inputTokens = int(200, 4000);
        const outputTokens = int(20, 800);
        s.name = `chat ${model}`;
        s.input = {
          messages: [
            { role: "system", content: text(160) },
            { role: "user", content: text(220) },
          ],
        };
        s.output = { role: "assistant", content: text(260) };
        s.llm = {
          model,
          provider,
          promptName: `${agent}/answer`,
          variables: { customer: `cust_${int(1, 5000)}`, topic: pick(WORDS) },
          config: { temperature: 0.2, maxTokens: 1024, api_key: "sk-should-be-redacted" },
          usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
        };
      } else if (type === "tool_call") {
        s.name = pick(TOOLS);
        s.input = { query: text(200), limit: int(1, 50) };
        s.output = { results: [text(180), text(180)], took_ms: int(3, 900) };
      } else if (type === "memory") {
        s.name = "memory.retrieve";
        s.input = { key: `${threadId}:history`, k: int(3, 20) };
        s.output = { items: [text(200), text(200), text(150)] };
      } else if (type === "workflow_step") {
        s.name = `step ${i}`;
        s.stepType = pick(STEP_TYPES);
        s.input = { state: { step: i, value: text(250) } };
        s.output = { state: { step: i + 1, value: text(250) } };
      } else if (type === "http_call") {
        s.name = "GET orders";
        s.http = {
          method: pick(["get", "post"]),
          url: `https://api.example.com/v1/orders/${hex(12)}`,
          statusCode: 200,
        };
        s.input = { headers: { accept: "application/json", authorization: "Bearer secret" }, query: text(120) };
        s.output = { status: 200, body: text(400) };
      } else if (type === "log") {
        s.name = "log";
        s.input = { level: pick(["info", "warn", "debug"]), message: text(420) };
        s.output = null;
      } else if (type === "conversation_message") {
        const role = r() < 0.5 ? "user" : "assistant";
        s.name = `${role} message`;
        s.message = { role, content: text(380), metadata: { channel: "web", locale: "pt-BR" } };
        s.input = { turn: i };
      } else {
        s.name = "custom_event";
        s.input = { event: pick(WORDS), properties: { value: int(1, 1000), note: text(300) } };
      }
      if (r() < 0.02) {
        s.status = "error";
        s.error = { name: "ToolError", message: text(80), stack: `Error: ${text(40)}\n    at handler (tool.ts:12:7)` };
      }
      spans.push(s);
      ids.push(id);
    }
    exec++;
  }
  return { spans, executions: exec };
}
