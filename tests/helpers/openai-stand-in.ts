import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small OpenAI-compatible HTTP server standing in for the model in tests of real clients:
 * `POST …/chat/completions` answers the next canned reply (queued per test), as one JSON
 * completion or, when the request asks to stream, as server-sent events (content in pieces, tool
 * call deltas, a final usage chunk, `[DONE]`). A reply with `status` is an OpenAI error body.
 */

export type CannedToolCall = { id: string; name: string; arguments: string };
export type CannedReply = {
  content?: string;
  toolCalls?: CannedToolCall[];
  usage?: { prompt: number; completion: number };
  /** An HTTP error status (with `error` as its message) instead of a completion. */
  status?: number;
  error?: string;
};

export type OpenAIStandIn = {
  /** The base URL clients take (`…/v1`). */
  url: string;
  /** Queues replies, answered in order. */
  reply(...replies: CannedReply[]): void;
  /** The JSON bodies the clients sent, in order. */
  requests: Record<string, unknown>[];
  close(): Promise<void>;
};

const MODEL = "gpt-4o-mini";

export async function startOpenAIStandIn(): Promise<OpenAIStandIn> {
  const queue: CannedReply[] = [];
  const requests: Record<string, unknown>[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
    requests.push(body);
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions"))
      return send(res, 404, apiError("no such route"));
    const next = queue.shift();
    if (!next) return send(res, 500, apiError("the test queued no reply for this request"));
    if (next.status) return send(res, next.status, apiError(next.error ?? "error"));
    if (body.stream) return stream(res, next);
    return send(res, 200, completion(next));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    reply: (...replies) => queue.push(...replies),
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function apiError(message: string) {
  return { error: { message, type: "invalid_request_error", code: null, param: null } };
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function usage(r: CannedReply) {
  const u = r.usage ?? { prompt: 0, completion: 0 };
  return { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion };
}

const finishReason = (r: CannedReply) => (r.toolCalls?.length ? "tool_calls" : "stop");

function completion(r: CannedReply) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: MODEL,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: r.content ?? null,
          ...(r.toolCalls?.length
            ? {
                tool_calls: r.toolCalls.map((t) => ({
                  id: t.id,
                  type: "function",
                  function: { name: t.name, arguments: t.arguments },
                })),
              }
            : {}),
        },
        finish_reason: finishReason(r),
        logprobs: null,
      },
    ],
    usage: usage(r),
  };
}

function stream(res: http.ServerResponse, r: CannedReply) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
    res.write(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: MODEL, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`,
    );
  chunk({ role: "assistant", content: "" });
  // The text in a few pieces, as a model streams it.
  for (const piece of (r.content ?? "").match(/.{1,8}/gs) ?? []) chunk({ content: piece });
  for (const [index, t] of (r.toolCalls ?? []).entries())
    chunk({ tool_calls: [{ index, id: t.id, type: "function", function: { name: t.name, arguments: t.arguments } }] });
  chunk({}, finishReason(r));
  res.write(
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: MODEL, choices: [], usage: usage(r) })}\n\n`,
  );
  res.end("data: [DONE]\n\n");
}
