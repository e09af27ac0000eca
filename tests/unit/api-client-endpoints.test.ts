import { describe, expect, it } from "vitest";
import { API_ENDPOINTS, type Endpoint, type EndpointKey, splitEndpoint } from "@/lib/contracts/client";
import { ROUTE_METHODS } from "@/lib/http/methods";
import type { RouteContract } from "@/lib/http/route";
import { discoverRouteFiles, loadRoute } from "../helpers/api-routes";

/**
 * The API client's endpoint table (lib/contracts/client.ts) is the routes' declarations seen from
 * the caller's side, so the two cannot drift: every method a route file under app/api serves with
 * route() has exactly one endpoint, keyed by the method and the route file's path, and every
 * endpoint is such a method; its query, body and response are the very schema objects the route
 * declares (not copies that happen to look alike).
 */

/** Route files that do not declare their methods with route() (api-contracts.test.ts says why). */
const NOT_ROUTE_DECLARED = new Set(["/api/auth/[...all]", "/api/[...path]"]);

async function declaredMethods(): Promise<Map<string, RouteContract>> {
  const out = new Map<string, RouteContract>();
  for (const { route, file } of discoverRouteFiles()) {
    if (NOT_ROUTE_DECLARED.has(route)) continue;
    const mod = (await loadRoute(file)) as Record<string, { contract?: RouteContract } | undefined>;
    for (const method of ROUTE_METHODS) {
      const contract = mod[method]?.contract;
      if (contract) out.set(`${method} ${route}`, contract);
    }
  }
  return out;
}

describe("the API client's endpoint table", () => {
  it("has exactly one endpoint per method a route file serves through route(), and no other", async () => {
    const routes = await declaredMethods();
    expect(routes.size).toBeGreaterThan(50);
    expect(Object.keys(API_ENDPOINTS).sort()).toEqual([...routes.keys()].sort());
  });

  it("holds the routes' own schema objects for query, body and response", async () => {
    const routes = await declaredMethods();
    for (const [key, contract] of routes) {
      const endpoint: Endpoint | undefined = API_ENDPOINTS[key as EndpointKey];
      if (!endpoint) continue; // the test above names it
      const where = `${key}: `;
      expect(endpoint.query, `${where}query`).toBe(contract.query);
      // A route without a body schema that reads its body itself (a file, OTLP) is a raw body here.
      expect(endpoint.body === "raw" ? undefined : endpoint.body, `${where}body`).toBe(contract.body);
      const { response } = contract;
      if (typeof response === "object" && "raw" in response) {
        expect(endpoint.response, `${where}response`).toEqual(response);
        if ("json" in response)
          expect((endpoint.response as { json: unknown }).json, `${where}response json`).toBe(response.json);
      } else expect(endpoint.response, `${where}response`).toBe(response);
    }
  });

  it("marks a raw body only where the route reads its body itself: the file import and OTLP", () => {
    const raw = Object.entries(API_ENDPOINTS)
      .filter(([, e]) => (e as Endpoint).body === "raw")
      .map(([k]) => splitEndpoint(k).path);
    expect(raw.sort()).toEqual(["/api/otel/v1/logs", "/api/otel/v1/traces", "/api/v1/ingest/output"]);
  });
});
