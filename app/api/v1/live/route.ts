import { LIVE_CONTENT_TYPE } from "@/lib/contracts/live";
import { UnauthorizedError } from "@/lib/errors";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { getLiveBus } from "@/lib/live";

export const dynamic = "force-dynamic";

/**
 * Server-Sent Events of the active workspace's live notices (new executions, spans, events).
 * Fed by the live bus: Redis pub/sub across processes, in-process otherwise. Any failure to
 * authenticate is a 401 (an EventSource cannot read the reason anyway).
 */
export const GET = route({
  auth: "member",
  authFailure: () => new UnauthorizedError("Sign in to continue."),
  response: { raw: [LIVE_CONTENT_TYPE] },
  handler: async ({ req, principal }) => {
    const bus = await getLiveBus();
    const encoder = new TextEncoder();
    let cleanup = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (chunk: string) => {
          try {
            controller.enqueue(encoder.encode(chunk));
          } catch {
            cleanup();
          }
        };
        send("retry: 3000\n: connected\n\n");
        const off = bus.subscribe(principal.workspaceId, (n) =>
          send(`event: ${n.kind}\ndata: ${JSON.stringify(n)}\n\n`),
        );
        const heartbeat = setInterval(() => send(": ping\n\n"), 15_000);
        cleanup = () => {
          off();
          clearInterval(heartbeat);
        };
        req.signal.addEventListener("abort", () => {
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed
          }
        });
      },
      cancel() {
        cleanup();
      },
    });
    return new Response(stream, {
      headers: {
        "content-type": LIVE_CONTENT_TYPE,
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      },
    });
  },
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
