import { createHash, randomBytes } from "node:crypto";

/** sha256 hex of a high-entropy secret (API keys, invitation tokens): stored instead of the secret. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Random base62 string (unbiased: rejection sampling). */
export function randomToken(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

/** A new API key secret: `rl_` + 40 base62 characters (~238 bits). */
export function newApiKeySecret(): string {
  return `rl_${randomToken(40)}`;
}

/** What the UI shows of a key: enough to recognise it, never enough to use it. */
export function keyPrefix(secret: string): string {
  return secret.slice(0, Math.min(10, Math.max(4, Math.floor(secret.length / 3))));
}
