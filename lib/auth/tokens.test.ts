import { describe, expect, it } from "vitest";
import { hashSecret, keyPrefix, newApiKeySecret, randomToken } from "./tokens";

describe("secrets", () => {
  it("API keys are rl_ + 40 base62 characters and never repeat", () => {
    const keys = new Set(Array.from({ length: 200 }, newApiKeySecret));
    expect(keys.size).toBe(200);
    for (const k of keys) expect(k).toMatch(/^rl_[A-Za-z0-9]{40}$/);
  });

  it("the prefix identifies a key without revealing it", () => {
    const k = newApiKeySecret();
    expect(k.startsWith(keyPrefix(k))).toBe(true);
    expect(keyPrefix(k).length).toBeLessThanOrEqual(10);
  });

  it("hashes are stable sha256 hex", () => {
    expect(hashSecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(randomToken(64)).toMatch(/^[A-Za-z0-9]{64}$/);
  });
});
