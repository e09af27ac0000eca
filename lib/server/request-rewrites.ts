import "server-only";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import {
  isWellEncodedPath,
  MALFORMED_PATH,
  MALFORMED_PATH_HEADER,
  REFUSED_METHOD_HEADER,
  ROUTABLE_METHODS,
} from "../http/rewrites.ts";
import { processGlobal } from "../process-global.ts";

const installed = processGlobal("__runlensRequestRewrites_installed", () => ({ done: false }));

/**
 * Rewrites the requests Next would answer with a plain-text 500 into ones a route answers in the
 * error format (lib/http/rewrites.ts): a method Next cannot route becomes OPTIONS naming it, a
 * path that is not valid percent-encoding goes to the /api catch-all. Node publishes
 * `http.server.request.start` synchronously before the server's request listener runs.
 */
export function installRequestRewrites(): void {
  if (installed.done) return;
  installed.done = true;
  subscribe("http.server.request.start", (message) => rewrite((message as { request: IncomingMessage }).request));
}

export function rewrite(request: IncomingMessage): void {
  const headers = request.headers;
  delete headers[REFUSED_METHOD_HEADER];
  delete headers[MALFORMED_PATH_HEADER];
  const method = request.method ?? "GET";
  if (!ROUTABLE_METHODS.has(method)) {
    headers[REFUSED_METHOD_HEADER] = method;
    request.method = "OPTIONS";
  }
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  if (!isWellEncodedPath(query < 0 ? url : url.slice(0, query))) {
    headers[MALFORMED_PATH_HEADER] = "1";
    request.url = MALFORMED_PATH;
  }
}
