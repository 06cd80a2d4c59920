import { describe, expect, it } from "vitest";
import { createUnsubscribeToken, verifyUnsubscribeToken } from "../../src/deliver/tokens.js";

const SECRET = "one secret that is long enough";

describe("unsubscribe tokens", () => {
  it("round-trips an address, without case, and only under the same secret", () => {
    const token = createUnsubscribeToken(SECRET, "Zhang.San@Example.com");
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/u);
    expect(createUnsubscribeToken(SECRET, "zhang.san@example.com")).toBe(token);
    expect(verifyUnsubscribeToken(SECRET, token)).toBe("zhang.san@example.com");
    expect(verifyUnsubscribeToken("another secret, also long enough", token)).toBeUndefined();
  });

  it("rejects every alteration", () => {
    const token = createUnsubscribeToken(SECRET, "ann@example.org");
    const [address, mac] = token.split(".") as [string, string];
    const forgedAddress = Buffer.from("bob@example.org").toString("base64url");
    const alterations = [
      `${forgedAddress}.${mac}`,
      `${address}.${createUnsubscribeToken(SECRET, "bob@example.org").split(".")[1]}`,
      ...Array.from({ length: mac.length }, (_, i) => `${address}.${mac.slice(0, i)}${mac[i] === "A" ? "B" : "A"}${mac.slice(i + 1)}`),
      `${address}.${mac.slice(0, -1)}`,
      `${address}.${mac}=`,
      `${address}=.${mac}`,
      `${address}`,
      `.${mac}`,
      "",
    ];
    for (const altered of alterations) expect(verifyUnsubscribeToken(SECRET, altered), altered).toBeUndefined();
  });
});
