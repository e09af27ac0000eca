import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { getLiveBus } from "@/lib/live";

export const dynamic = "force-dynamic";

/**
 * Server-Sent Events of the active workspace's live notices (new executions, spans, events).
 * Fed by the live bus: Redis pub/sub across processes, in-process otherwise.
 */
export async function GET(req: Request) {
  let me: Awaited<ReturnType<typeof requireMember>>;
  try {
    me = await requireMember(req);
  } catch {
    return Response.json({ error: { code: "unauthorized", message: "Sign in to continue." } }, { status: 401 });
  }
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
      const off = bus.subscribe(me.workspaceId, (n) => send(`event: ${n.kind}\ndata: ${JSON.stringify(n)}\n\n`));
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
      "content-type": "text/event-stream",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
