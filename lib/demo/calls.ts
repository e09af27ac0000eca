import { randomUUID } from "node:crypto";
import { type Runlens, type Trace, traceLLM } from "@runlens/sdk";
import type { Random, Timeline } from "./timeline.ts";

/**
 * What an instrumented application sends for its model, tool and HTTP calls, with stand-ins for
 * the model and the services: answers are scripted, latencies and token counts follow the text.
 */
export type Demo = { client: Runlens; time: Timeline; random: Random };

export type ToolRequest = { id: string; name: string; args: Record<string, unknown> };

/** A chat message as OpenAI's chat API takes it (and as the portal shows it as turns). */
export type ChatMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: OpenAiToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };
type OpenAiToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };

/** The priced models of the built-in table the demo uses, with stand-in latencies. */
const MODELS = {
  "gpt-4o-mini": { provider: "openai", firstTokenMs: [220, 520], msPerToken: 9 },
  "gpt-4o": { provider: "openai", firstTokenMs: [350, 800], msPerToken: 16 },
  "claude-sonnet-4-5": { provider: "anthropic", firstTokenMs: [600, 1200], msPerToken: 19 },
  "claude-haiku-4-5": { provider: "anthropic", firstTokenMs: [300, 650], msPerToken: 8 },
} as const;
export type ModelName = keyof typeof MODELS;

/** About four characters a token, the usual rule of thumb for English and Portuguese text. */
export function approxTokens(text: string): number {
  return Math.max(1, Math.round(text.length / 4));
}

function promptTokens(messages: ChatMessage[]): number {
  // Each message costs its text (or its tool calls) and a few tokens of framing.
  return messages.reduce(
    (sum, m) => sum + 4 + approxTokens(m.content ?? ("tool_calls" in m ? JSON.stringify(m.tool_calls) : "")),
    0,
  );
}

export function toolCallsMessage(calls: ToolRequest[]): ChatMessage {
  return {
    role: "assistant",
    content: null,
    tool_calls: calls.map((c) => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: JSON.stringify(c.args) },
    })),
  };
}

export type LlmSpec = {
  model: ModelName;
  promptName: string;
  messages: ChatMessage[];
  /** What the model answers: text, or the tools it asks for. */
  reply: string | ToolRequest[];
  variables?: Record<string, unknown>;
  temperature?: number;
  /** The provider refuses the call after a short wait (a rate limit): thrown from the call. */
  refusal?: Error;
};

/** An LLM call through `traceLLM`: role-labelled messages in, the answer (or the tools asked for) and usage out. */
export async function llmCall({ client, time, random }: Demo, spec: LlmSpec): Promise<void> {
  const model = MODELS[spec.model];
  const inputTokens = promptTokens(spec.messages);
  const toolCalls = typeof spec.reply === "string" ? null : toolCallsMessage(spec.reply);
  const outputTokens = approxTokens(typeof spec.reply === "string" ? spec.reply : JSON.stringify(toolCalls)) + 3;
  await traceLLM(
    {
      client,
      model: spec.model,
      provider: model.provider,
      promptName: spec.promptName,
      variables: spec.variables,
      config: { temperature: spec.temperature ?? 0.3, max_tokens: 1024 },
      input: spec.messages,
      // The answer's text, or the assistant message naming the tools, as the trace's output.
      extract: () => ({
        output: toolCalls ?? spec.reply,
        usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      }),
    },
    async () => {
      if (spec.refusal) {
        await time.sleep(random.between(150, 450));
        throw spec.refusal;
      }
      const [first, last] = model.firstTokenMs;
      await time.sleep(
        random.between(first, last) + outputTokens * model.msPerToken * random.between(0.85, 1.2) + inputTokens * 0.02,
      );
      return { model: spec.model };
    },
  );
}

export type HttpSpec = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  status: number | null;
  /** How long the service takes to answer, in ms. */
  ms: readonly [number, number];
  body?: unknown;
  response?: unknown;
  /** A request that failed without an answer (timeout, connection refused). */
  error?: Error;
};

/**
 * An HTTP call under the active span, sent as an `http_call` trace with method, URL and status
 * (the SDK has no helper for it, so it goes through `emitTrace` as an HTTP instrumentation would).
 */
export async function httpCall({ client, time, random }: Demo, spec: HttpSpec): Promise<unknown> {
  const startedAt = client.timestamp();
  const base = client.spanBase();
  await time.sleep(random.between(spec.ms[0], spec.ms[1]));
  const url = new URL(spec.url);
  const failed = spec.error !== undefined || spec.status === null || spec.status >= 400;
  // Added onto the fresh base object rather than spread into a copy: on Node 20 each key added to
  // a spread copy costs about a microsecond (bench:ingest's SDK clients make thousands a second).
  client.emitTrace(
    Object.assign(base, {
      id: randomUUID(),
      type: "http_call",
      name: `${spec.method} ${url.pathname}`,
      startedAt,
      endedAt: client.timestamp(),
      status: failed ? "error" : "success",
      http: { method: spec.method, url: spec.url, statusCode: spec.status },
      input: spec.body,
      output: spec.response,
      error: spec.error ? { name: spec.error.name, message: spec.error.message, stack: spec.error.stack } : undefined,
    }) as Trace,
  );
  return spec.response;
}

/** A tool call (`tool_call` span) with its arguments as input and its result as output. */
export function toolCall<T>(
  demo: Demo,
  name: string,
  args: Record<string, unknown>,
  run: () => Promise<T>,
): Promise<T> {
  return demo.client.withSpan(name, { type: "tool_call", input: args }, async () => {
    await demo.time.sleep(demo.random.between(2, 12));
    const result = await run();
    await demo.time.sleep(demo.random.between(3, 18));
    return result;
  });
}

/** Work of the application itself (parsing, a database read) that takes `min` to `max` ms. */
export function work({ time, random }: Demo, min: number, max: number): Promise<void> {
  return time.sleep(random.between(min, max));
}

/**
 * An error as the application that threw it would report it: its stack names the application's
 * own source files, never the Runlens server that happens to generate the sample.
 */
export function appError(name: string, message: string, frames: string[]): Error {
  const error = new Error(message);
  error.name = name;
  error.stack = [`${name}: ${message}`, ...frames.map((f) => `    at ${f}`)].join("\n");
  return error;
}
