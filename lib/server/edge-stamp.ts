import "server-only";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { edgeHeaders, FORWARDING_HEADERS, resolveEdge, trustedProxiesProblem } from "../http/edge.ts";
import { enterRequestContext, logger, newRequestId } from "../log.ts";
import { processGlobal } from "../process-global.ts";

const installed = processGlobal("__runlensEdgeStamp_installed", () => ({ done: false }));

/**
 * Rewrites the forwarding headers of every request this process serves, from its socket, before
 * Next reads them (lib/http/edge.ts has the rule). Node publishes `http.server.request.start`
 * synchronously before the server's request listener runs, so no route sees a client's own
 * X-Forwarded-* headers. For the same reason this is where each request gets its id: the rest of
 * the request runs in its log context (every line it logs carries `requestId`), and the response
 * tells it in `x-request-id`. Throws on an invalid RUNLENS_TRUSTED_PROXIES.
 */
export function installEdgeStamp(): void {
  const problem = trustedProxiesProblem();
  if (problem) throw new Error(problem);
  if (installed.done) return;
  installed.done = true;
  subscribe("http.server.request.start", (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    stampRequest(request);
    const requestId = newRequestId();
    enterRequestContext(requestId);
    response.setHeader("x-request-id", requestId);
  });
}

/** At server start: an invalid RUNLENS_TRUSTED_PROXIES stops the process with its reason. */
export function installEdgeStampOrExit(): void {
  try {
    installEdgeStamp();
  } catch (e) {
    logger("server").fatal((e as Error).message);
    process.exit(1);
  }
}

function stampRequest(request: IncomingMessage): void {
  const headers = request.headers;
  const edge = resolveEdge({
    remoteAddress: request.socket.remoteAddress,
    encrypted: Boolean((request.socket as TLSSocket).encrypted),
    header: (name) => {
      const v = headers[name];
      return Array.isArray(v) ? v.join(",") : v;
    },
  });
  for (const name of FORWARDING_HEADERS) delete headers[name];
  Object.assign(headers, edgeHeaders(edge));
}
