import { describe, expect, it } from "vitest";
import { backoffMs, DEFAULT_RETRY, isTransient, parseRetryAfter } from "./transport.ts";

describe("transport timing rules", () => {
  it("backoff doubles per retry up to its ceiling, jittered between half and all of it", () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, policy, 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(3, policy, 0)).toBe(200);
    expect(backoffMs(3, policy, 0.5)).toBe(300);
  });

  it("Retry-After is read as seconds or as an HTTP date, never as a negative wait", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter("-5", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it("408, 429 and 5xx are worth retrying; other refusals are final", () => {
    expect([408, 429, 500, 502, 503, 504].every(isTransient)).toBe(true);
    expect([400, 401, 403, 404, 409, 413, 422].some(isTransient)).toBe(false);
  });
});
