import { hash } from "node:crypto";

/**
 * SHA-256 in hex, with the one-shot `crypto.hash` (Node 20.12): a build takes
 * tens of thousands of small hashes, and a Hash object for each cost 2-7
 * times as much.
 */
export function sha256Hex(contents: string | Uint8Array): string {
  return hash("sha256", contents, "hex");
}

/**
 * A key for what something was made from: 128 bits of SHA-256 of its JSON,
 * ample to tell inputs apart, and short enough for the manifest to hold
 * several per issue.
 */
export function keyOf(value: unknown): string {
  return sha256Hex(JSON.stringify(value)).slice(0, 32);
}
