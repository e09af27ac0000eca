import { errorResponse } from "@/lib/http/respond";
import { MALFORMED_PATH_HEADER, REFUSED_METHOD_HEADER } from "@/lib/http/rewrites";

export const dynamic = "force-dynamic";

/** Unknown paths: 404 whatever the method; a path that is not valid percent-encoding: 400. */
function unknownPath(req: Request) {
  if (req.headers.get(MALFORMED_PATH_HEADER))
    return errorResponse(400, "malformed_path", "The request path is not valid percent-encoded UTF-8.");
  const { pathname } = new URL(req.url);
  const method = req.headers.get(REFUSED_METHOD_HEADER) ?? req.method;
  return errorResponse(404, "not_found", `No API endpoint ${method} ${pathname}.`);
}

export {
  unknownPath as GET,
  unknownPath as HEAD,
  unknownPath as OPTIONS,
  unknownPath as POST,
  unknownPath as PUT,
  unknownPath as PATCH,
  unknownPath as DELETE,
};
