import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startPortal } from "../helpers/server";

/**
 * The edge rewrite in a real `next start` process: Next passes a client's X-Forwarded-For through
 * to the routes, so only the rewrite from the socket (lib/server/edge-stamp.ts) keeps a client from
 * choosing its own rate-limit bucket.
 */
async function signInStatuses(server: RunningServer, forwardedFor: (i: number) => string, n: number) {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor(i) },
      body: JSON.stringify({ email: "owner@example.com", password: "not-the-password" }),
    });
    statuses.push(res.status);
  }
  return statuses;
}

describe("client addresses in a running server", () => {
  let direct: RunningServer;
  let proxied: RunningServer;
  beforeAll(async () => {
    [direct, proxied] = await Promise.all([
      startPortal(),
      // The test client connects from 127.0.0.1: it plays the trusted proxy.
      startPortal({ env: { RUNLENS_TRUSTED_PROXIES: "127.0.0.1" } }),
    ]);
  }, 600_000);
  afterAll(async () => {
    await Promise.all([direct?.stop(), proxied?.stop()]);
  });

  it("without trusted proxies, a new forged X-Forwarded-For per attempt stays in the socket's bucket", async () => {
    const statuses = await signInStatuses(direct, (i) => `198.51.100.${i}`, 12);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it("with trusted proxies, the right-most untrusted address is the client", async () => {
    // A client forging the left-most address behind the proxy: one client, limited.
    const forged = await signInStatuses(proxied, (i) => `192.0.2.${i}, 203.0.113.5`, 11);
    expect(forged[10]).toBe(429);
    // Distinct clients behind the proxy: each its own bucket.
    const clients = await signInStatuses(proxied, (i) => `203.0.113.${100 + i}`, 11);
    expect(clients.every((s) => s === 401)).toBe(true);
  });
});
