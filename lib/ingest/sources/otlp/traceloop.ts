import type { Reading } from "./reading.ts";
import { type Attrs, compact, isRecord, jsonish, str, tokenCount, unflattenIndexed, withPrefix } from "./values.ts";

/**
 * OpenLLMetry / Traceloop: `traceloop.span.kind` (workflow, task, agent, tool) with
 * `traceloop.entity.name` (the decorated function's name, the span's name here) and its
 * `traceloop.entity.input` / `.output`; `traceloop.association.properties.*` (session_id, user_id,
 * customer_id...) carry the execution's ids. Its LLM spans use the older GenAI attributes
 * (`gen_ai.prompt.N.*`, read by the GenAI family) plus `llm.request.type`,
 * `llm.usage.total_tokens` and `llm.request.functions.N.*`, read here.
 */

const KINDS: Record<string, Pick<Reading, "type" | "stepType">> = {
  workflow: { type: "workflow_execution" },
  task: { type: "workflow_step", stepType: "function" },
  agent: { type: "agent_execution" },
  tool: { type: "tool_call" },
};
const REQUEST_TYPES: Record<string, Reading["type"]> = {
  chat: "llm_call",
  completion: "llm_call",
  embedding: "embedding",
  rerank: "retrieval",
};

export function readTraceloop(attrs: Attrs): Reading {
  const kind = str(attrs["traceloop.span.kind"])?.toLowerCase();
  const requestType = str(attrs["llm.request.type"])?.toLowerCase();
  const association = withPrefix(attrs, "traceloop.association.properties.");
  const hasEntity = str(attrs["traceloop.entity.name"]) !== null || attrs["traceloop.entity.input"] !== undefined;
  if (!kind && !requestType && !association && !hasEntity && attrs["llm.usage.total_tokens"] === undefined) return {};
  return compact({
    ...(kind ? KINDS[kind] : {}),
    type: (kind && KINDS[kind]?.type) || (requestType ? REQUEST_TYPES[requestType] : undefined),
    name: str(attrs["traceloop.entity.name"]) ?? undefined,
    usage: compact({ total: tokenCount(attrs["llm.usage.total_tokens"]) ?? undefined }),
    tools: functions(attrs),
    input: entityInput(attrs["traceloop.entity.input"]),
    output: attrs["traceloop.entity.output"] === undefined ? undefined : decoded(attrs["traceloop.entity.output"]),
    context: association ? context(association) : undefined,
    payloadKeys: ["traceloop.entity.input", "traceloop.entity.output", "llm.request.functions."],
  });
}

/**
 * Traceloop's SDKs JSON-encode every entity input and output (`JSON.stringify`, Python's
 * `json.dumps`), so a returned string arrives as `"\"text\""`: decoded whole, whatever the JSON
 * value; a string that is not JSON (another writer) is kept as sent.
 */
function decoded(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * The decorated function's arguments, recorded as `{args: [...], kwargs: {...}}`: one positional
 * argument is shown as itself, keyword arguments alone as their object; anything else as recorded.
 */
function entityInput(v: unknown): unknown {
  if (v === undefined) return undefined;
  const parsed = decoded(v);
  if (!isRecord(parsed) || !Array.isArray(parsed.args)) return parsed;
  const kwargs = isRecord(parsed.kwargs) ? parsed.kwargs : {};
  const keys = Object.keys(parsed).filter((k) => k !== "args" && k !== "kwargs");
  if (keys.length) return parsed;
  const noKwargs = Object.keys(kwargs).length === 0;
  if (parsed.args.length === 1 && noKwargs) return parsed.args[0];
  if (parsed.args.length === 0) return noKwargs ? undefined : kwargs;
  return parsed;
}

function context(p: Attrs): Reading["context"] {
  const pick = (...keys: string[]) => keys.map((k) => str(p[k])).find((v) => v) ?? undefined;
  return compact({
    threadId: pick("thread_id", "threadId", "conversation_id", "chat_id"),
    sessionId: pick("session_id", "sessionId"),
    userId: pick("user_id", "userId"),
    companyId: pick("customer_id", "customerId", "company_id"),
  });
}

/** `llm.request.functions.N.{name,description,parameters}`: the tools offered to the model. */
function functions(attrs: Attrs): unknown[] | undefined {
  const items = unflattenIndexed(attrs, "llm.request.functions.");
  const out = (items ?? [])
    .filter(isRecord)
    .map((f) => compact({ name: f.name, description: f.description, parameters: jsonish(f.parameters) }));
  return out.length ? out : undefined;
}
