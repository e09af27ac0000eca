import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { MALFORMED_PATH, MALFORMED_PATH_HEADER, REFUSED_METHOD_HEADER } from "../http/rewrites.ts";
import { rewrite } from "./request-rewrites.ts";

const incoming = (method: string, url: string, headers: Record<string, string> = {}) =>
  ({ method, url, headers: { ...headers } }) as unknown as IncomingMessage;

describe("request rewrites before Next", () => {
  it("turns a method Next cannot route into OPTIONS naming it", () => {
    const req = incoming("TRACE", "/api/v1/agents");
    rewrite(req);
    expect(req.method).toBe("OPTIONS");
    expect(req.headers[REFUSED_METHOD_HEADER]).toBe("TRACE");
  });

  it("sends a path that is not valid percent-encoding to the catch-all, keeping routable ones", () => {
    const bad = incoming("GET", "/api/v1/runtime/v1/observability/executions/%E0%A4%A/details?x=%ZZ");
    rewrite(bad);
    expect(bad.url).toBe(MALFORMED_PATH);
    expect(bad.headers[MALFORMED_PATH_HEADER]).toBe("1");
    const good = incoming("GET", "/api/v1/x/%E0%A4%A4?q=%ZZ"); // a bad query string is the route's business
    rewrite(good);
    expect(good.url).toBe("/api/v1/x/%E0%A4%A4?q=%ZZ");
    expect(good.method).toBe("GET");
  });

  it("removes a client's own rewrite headers", () => {
    const req = incoming("GET", "/api/health", { [REFUSED_METHOD_HEADER]: "TRACE", [MALFORMED_PATH_HEADER]: "1" });
    rewrite(req);
    expect(req.headers[REFUSED_METHOD_HEADER]).toBeUndefined();
    expect(req.headers[MALFORMED_PATH_HEADER]).toBeUndefined();
  });
});
