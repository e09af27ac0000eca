import { describe, expect, it } from "vitest";
import { allowHeader, otherMethods } from "./methods.ts";
import { REFUSED_METHOD_HEADER } from "./rewrites.ts";

const GET = async () => new Response("ok");
const POST = async () => new Response("ok");

describe("otherMethods", () => {
  it("answers every method a route does not serve with 405 in the error format and an Allow header", async () => {
    const other = otherMethods({ GET, POST });
    expect(Object.keys(other).sort()).toEqual(["DELETE", "OPTIONS", "PATCH", "PUT"]);
    const res = other.PUT(new Request("http://x/", { method: "PUT" }));
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, OPTIONS, POST");
    const { error } = await res.json();
    expect(error).toMatchObject({ code: "method_not_allowed", message: expect.stringContaining("PUT") });
  });

  it("answers HEAD too when the route has no GET", () => {
    const other = otherMethods({ POST });
    expect(Object.keys(other).sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "PUT"]);
    expect(other.HEAD(new Request("http://x/", { method: "HEAD" })).headers.get("allow")).toBe("OPTIONS, POST");
  });

  it("OPTIONS is 204 with Allow, or 405 for a method Next could not route (TRACE)", async () => {
    const { OPTIONS } = otherMethods({ GET });
    expect(OPTIONS(new Request("http://x/", { method: "OPTIONS" })).status).toBe(204);
    const trace = OPTIONS(
      new Request("http://x/", { method: "OPTIONS", headers: { [REFUSED_METHOD_HEADER]: "TRACE" } }),
    );
    expect(trace.status).toBe(405);
    expect(trace.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect((await trace.json()).error.message).toContain("TRACE");
  });

  it("writes Allow sorted, with HEAD wherever GET is", () => {
    expect(allowHeader(["PUT"])).toBe("OPTIONS, PUT");
    expect(allowHeader(["GET", "DELETE", "PATCH"])).toBe("DELETE, GET, HEAD, OPTIONS, PATCH");
  });
});
