import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Unsubscribe tokens: `<address, base64url>.<HMAC-SHA256 of the address
 * under the configured secret, base64url>`. The address rides along so the
 * endpoint needs no lookup table; the HMAC makes it unforgeable without the
 * secret. Addresses are lower-cased first, as subscribers are compared.
 */
const PURPOSE = "letterpress unsubscribe v1\n";

function mac(secret: string, address: string): Buffer {
  return createHmac("sha256", secret).update(PURPOSE + address.toLowerCase()).digest();
}

export function createUnsubscribeToken(secret: string, address: string): string {
  return `${Buffer.from(address.toLowerCase(), "utf8").toString("base64url")}.${mac(secret, address).toString("base64url")}`;
}

/** The address a token was made for, or undefined for a forged or altered one. */
export function verifyUnsubscribeToken(secret: string, token: string): string | undefined {
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/u.exec(token);
  if (!match) return undefined;
  const address = Buffer.from(match[1]!, "base64url").toString("utf8");
  // base64url decoding ignores stray bits; insist the token is the canonical spelling.
  if (Buffer.from(address, "utf8").toString("base64url") !== match[1]) return undefined;
  const given = Buffer.from(match[2]!, "base64url");
  const expected = mac(secret, address);
  if (given.length !== expected.length || given.toString("base64url") !== match[2]) return undefined;
  return timingSafeEqual(given, expected) ? address : undefined;
}
