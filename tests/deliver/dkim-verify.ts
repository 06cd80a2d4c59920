import { createHash, createVerify } from "node:crypto";
import { expect } from "vitest";

/**
 * A small DKIM verifier for relaxed/relaxed rsa-sha256 (RFC 6376 §3.4.2,
 * §3.4.4, §3.7), enough to check what Nodemailer signs without a DNS lookup.
 */
export function verifyDkimRelaxed(raw: Buffer, publicKeyPem: string) {
  const text = raw.toString("latin1");
  const split = text.indexOf("\r\n\r\n");
  const head = text.slice(0, split + 2);
  const body = text.slice(split + 4);
  const fields = head.split(/\r\n(?![ \t])/u).filter(Boolean);
  const relaxed = (field: string) => {
    const colon = field.indexOf(":");
    const name = field.slice(0, colon).trim().toLowerCase();
    const value = field.slice(colon + 1).replace(/\r\n/gu, "").replace(/[ \t]+/gu, " ").trim();
    return `${name}:${value}`;
  };
  const signatureField = fields.find((f) => /^dkim-signature:/iu.test(f))!;
  const tags = Object.fromEntries(
    signatureField
      .slice(signatureField.indexOf(":") + 1)
      .split(";")
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t) => [t.slice(0, t.indexOf("=")).trim(), t.slice(t.indexOf("=") + 1).replace(/\s+/gu, "")]),
  ) as Record<string, string>;
  expect(tags.c).toBe("relaxed/relaxed");
  const canonicalBody = body
    .split("\r\n")
    .map((l) => l.replace(/[ \t]+/gu, " ").replace(/ $/u, ""))
    .join("\r\n")
    .replace(/(\r\n)*$/u, "\r\n");
  const bodyHash = createHash("sha256").update(canonicalBody === "\r\n" ? "" : canonicalBody, "latin1").digest("base64");
  const signedHeaders = tags.h!.split(":").map((h) => h.trim().toLowerCase());
  const available = fields.filter((f) => f !== signatureField);
  const data: string[] = [];
  for (const name of signedHeaders) {
    const index = available.map((f) => f.slice(0, f.indexOf(":")).trim().toLowerCase()).lastIndexOf(name);
    if (index >= 0) data.push(`${relaxed(available.splice(index, 1)[0]!)}\r\n`);
  }
  data.push(relaxed(signatureField).replace(/b=[^;]*$/u, "b=").replace(/(;\s*b=)[^;]*/u, "$1"));
  const signatureValid = createVerify("RSA-SHA256").update(data.join(""), "latin1").verify(publicKeyPem, tags.b!, "base64");
  return { tags, signedHeaders, bodyHashMatches: bodyHash === tags.bh, signatureValid };
}
