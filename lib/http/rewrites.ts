/**
 * Requests Next cannot route, rewritten by the web process before Next sees them
 * (lib/server/request-rewrites.ts), so that a route answers them in the error format instead of
 * Next answering 500 with a plain-text body. A client's own headers of these names are removed.
 */

/** Next's route handlers take these methods only (next/dist/server/web/http.js). */
export const ROUTABLE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"]);

/**
 * Any other method (TRACE, PROPFIND, …) reaches the route as OPTIONS with this header naming it:
 * the route answers 405 with its own Allow header (lib/http/methods.ts).
 */
export const REFUSED_METHOD_HEADER = "x-runlens-refused-method";

/**
 * A path that is not valid percent-encoded UTF-8 (`/executions/%E0%A4%A/details`) reaches
 * MALFORMED_PATH with this header set: the /api catch-all answers 400 `malformed_path`.
 */
export const MALFORMED_PATH_HEADER = "x-runlens-malformed-path";
export const MALFORMED_PATH = "/api/malformed-path";

/** Whether every segment of a path decodes as Next decodes it (decodeURIComponent). */
export function isWellEncodedPath(path: string): boolean {
  if (!path.includes("%")) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
