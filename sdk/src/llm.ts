import { randomUUID } from "node:crypto";
import type { Trace } from "./config.ts";
import { getClient, type Runlens, toErrorRecord } from "./observability.ts";
import { onBase } from "./span-record.ts";

export type Usage = { inputTokens?: number; outputTokens?: number; totalTokens?: number };

export type TraceLLMOptions = {
  model: string;
  provider?: string;
  promptName?: string;
  variables?: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** The prompt or messages sent; recorded as the span input. */
  input?: unknown;
  /** Span name; default the model. */
  name?: string;
  parentId?: string | null;
  client?: Runlens;
  /** Pulls output and usage from the result when the client's shape is not recognised. */
  extract?: (result: unknown) => { output?: unknown; usage?: Usage };
};

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** Token usage from the response shapes of the common clients (OpenAI, Anthropic, AI SDK). */
export function usageOf(result: unknown): Usage | undefined {
  const u = (result as { usage?: Record<string, unknown> } | null)?.usage;
  if (!u || typeof u !== "object") return undefined;
  const input = num(u.inputTokens) ?? num(u.prompt_tokens) ?? num(u.input_tokens) ?? num(u.promptTokens);
  const output = num(u.outputTokens) ?? num(u.completion_tokens) ?? num(u.output_tokens) ?? num(u.completionTokens);
  const total =
    num(u.totalTokens) ??
    num(u.total_tokens) ??
    (input !== undefined || output !== undefined ? (input ?? 0) + (output ?? 0) : undefined);
  return { inputTokens: input, outputTokens: output, totalTokens: total };
}

/** Text of a response from the common shapes, else the whole result. */
function outputOf(result: unknown): unknown {
  const r = result as Record<string, unknown> | null;
  if (!r || typeof r !== "object") return result;
  if (typeof r.text === "string") return r.text;
  const choice = (r.choices as { message?: { content?: unknown } }[] | undefined)?.[0]?.message?.content;
  if (choice !== undefined) return choice;
  const block = (r.content as { text?: unknown }[] | undefined)?.[0]?.text;
  if (block !== undefined) return block;
  return result;
}

/**
 * Records an llm_call (model, prompt name, variables, config, result, tokens) around any LLM
 * client call. The call's own errors are recorded and rethrown unchanged.
 */
export async function traceLLM<T>(opts: TraceLLMOptions, call: () => Promise<T>): Promise<T> {
  const client = opts.client ?? getClient();
  const base = client.spanBase(opts.parentId);
  const startedAt = client.timestamp();
  const record = (extra: Partial<Trace>): Trace =>
    onBase(base, {
      id: randomUUID(),
      type: "llm_call",
      name: opts.name ?? opts.model,
      startedAt,
      endedAt: client.timestamp(),
      input: opts.input,
      ...extra,
    }) as Trace;
  const { model, provider, promptName, variables, config } = opts;
  const llm = { model, provider, promptName, variables, config };
  try {
    const result = await call();
    const extracted = opts.extract?.(result);
    const usage = extracted?.usage ?? usageOf(result);
    // A literal, not {...llm, usage} (see onBase).
    const withUsage = { model, provider, promptName, variables, config, usage };
    client.emitTrace(record({ status: "success", output: extracted?.output ?? outputOf(result), llm: withUsage }));
    return result;
  } catch (e) {
    client.emitTrace(record({ status: "error", error: toErrorRecord(e), llm }));
    throw e;
  }
}
