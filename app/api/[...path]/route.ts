import { errorResponse } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

function notFound(req: Request) {
  const { pathname } = new URL(req.url);
  return errorResponse(404, "not_found", `No API endpoint ${req.method} ${pathname}.`);
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
