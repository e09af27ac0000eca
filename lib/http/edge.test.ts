import { afterEach, describe, expect, it } from "vitest";
import { resolveEdge, trustedProxiesProblem } from "./edge.ts";

const raw = (remoteAddress: string, headers: Record<string, string> = {}, encrypted = false) => ({
  remoteAddress,
  encrypted,
  header: (name: string) => headers[name],
});

afterEach(() => {
  delete process.env.RUNLENS_TRUSTED_PROXIES;
});

describe("resolveEdge: who sent a request", () => {
  const forwarded = { host: "internal:3000", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" };

  it("without trusted proxies, is the socket's peer, whatever the headers claim", () => {
    expect(resolveEdge(raw("::ffff:10.0.0.7", { ...forwarded, "x-forwarded-for": "1.2.3.4" }))).toEqual({
      client: "10.0.0.7",
      host: "internal:3000",
      proto: "http",
    });
    expect(resolveEdge(raw("2001:DB8::1", {}, true))).toEqual({ client: "2001:db8::1", host: null, proto: "https" });
  });

  it("behind trusted proxies, is the right-most address that is not one of them", () => {
    process.env.RUNLENS_TRUSTED_PROXIES = "10.0.0.1, 10.9.0.0/16, fd00::/8";
    const via = (xff: string) => resolveEdge(raw("10.0.0.1", { ...forwarded, "x-forwarded-for": xff })).client;
    expect(via("6.6.6.6, 203.0.113.9")).toBe("203.0.113.9");
    expect(via("6.6.6.6, 203.0.113.9, 10.9.4.4, fd00::5")).toBe("203.0.113.9");
    // Every hop trusted: the left-most is the client.
    expect(via("10.9.1.1, 10.9.2.2")).toBe("10.9.1.1");
    // Not an address where a trusted proxy wrote one: the last trusted hop.
    expect(via("203.0.113.9, garbage, 10.9.4.4")).toBe("10.9.4.4");
    expect(via("")).toBe("10.0.0.1");
    expect(resolveEdge(raw("10.0.0.1", { ...forwarded, "x-forwarded-for": "203.0.113.9" }))).toMatchObject({
      host: "evil.example",
      proto: "https",
    });
    // The same headers from a peer that is not trusted count for nothing.
    expect(resolveEdge(raw("10.0.0.2", { ...forwarded, "x-forwarded-for": "203.0.113.9" }))).toEqual({
      client: "10.0.0.2",
      host: "internal:3000",
      proto: "http",
    });
  });

  it("refuses a RUNLENS_TRUSTED_PROXIES entry that is not an address or range", () => {
    expect(trustedProxiesProblem("10.0.0.1, 10.0.0.0/8, ::1")).toBeNull();
    expect(trustedProxiesProblem("10.0.0.0/33")).toMatch(/10\.0\.0\.0\/33/);
    expect(trustedProxiesProblem("proxy.internal")).toMatch(/not an IP address/);
  });
});
