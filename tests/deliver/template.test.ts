import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { composeMessage, resolveMessageSettings, unsubscribeUrlFor, type MessageSettings, type Recipient } from "../../src/deliver/message.js";
import { createMessageTemplate, fitsEightBit } from "../../src/deliver/template.js";
import { verifyUnsubscribeToken } from "../../src/deliver/tokens.js";
import { loadIssues } from "../../src/parse/index.js";
import { renderNewsletter } from "../../src/render/email.js";
import { breakLongHtmlLines } from "../../src/render/html-lines.js";
import { UNSUBSCRIBE_URL_PLACEHOLDER, fillUnsubscribeUrl, type NewsletterContent } from "../../src/render/newsletter.js";
import { SECRET, newsletterFixture, testConfig, withTempDir, dkimSettings } from "./fixtures.js";
import { verifyDkimRelaxed } from "./dkim-verify.js";

const repoRoot = join(import.meta.dirname, "../..");
const HARD_NAME = '张三, "Sam" (机器学习)';
const RECIPIENTS: Recipient[] = [
  { email: "Zhang.San@Example.com", name: HARD_NAME },
  { email: "plain@example.org" },
  { email: "o'brien+news@example.net", name: "O'Brien, Pat" },
  { email: `${"long".repeat(15)}@${"sub.".repeat(20)}example.org`, name: "Ünïcødé 名前 ".repeat(6).trim() },
];

async function sampleNewsletter(): Promise<NewsletterContent> {
  const config = await loadConfig({ file: join(repoRoot, "letterpress.config.json") });
  const { issues } = await loadIssues(join(repoRoot, "issues"));
  return renderNewsletter(issues.find((i) => i.date === "2020-10-30")!, config);
}

/** The raw message with its multipart boundaries renamed: they are random per composition. */
function withoutBoundaries(raw: Buffer): string {
  const text = raw.toString("latin1");
  const boundaries = [...text.matchAll(/boundary="?([^";\r\n]+)"?/gu)].map((m) => m[1]!);
  return boundaries.reduce((t, b, i) => t.replaceAll(b, `BOUNDARY${i}`), text);
}

/** Every header of the message and its parts, as mailparser reads them, with the boundary parameter dropped. */
function parsedHeaders(mail: ParsedMail): [string, string][] {
  return mail.headerLines
    .map(({ key, line }): [string, string] => [key, line.replace(/\s+/gu, " ").replace(/boundary="?[^";]+"?/u, "boundary=…")])
    .sort(([a], [b]) => a.localeCompare(b));
}

async function compareBothWays(content: NewsletterContent, settings: MessageSettings) {
  const template = await createMessageTemplate(content, settings);
  for (const recipient of RECIPIENTS) {
    const now = new Date();
    const reference = await composeMessage(content, recipient, settings, now);
    const spliced = await template.compose(recipient, now);
    expect(spliced.envelope).toEqual(reference.envelope);
    expect(spliced.messageId).toBe(reference.messageId);

    const [a, b] = await Promise.all([simpleParser(reference.raw), simpleParser(spliced.raw)]);
    expect(parsedHeaders(b)).toEqual(parsedHeaders(a));
    expect(b.to).toEqual(a.to);
    expect(b.subject).toBe(a.subject);
    expect(b.messageId).toBe(a.messageId);
    expect(b.date?.getTime()).toBe(a.date?.getTime());
    expect(b.text).toBe(a.text);
    expect(b.html).toBe(a.html);
    expect(b.attachments).toHaveLength(0);
    // The recipient's own link, in both parts and the header.
    const url = /^List-Unsubscribe: <(https:[^>]+)>/mu.exec(spliced.raw.toString("latin1").split("\r\n\r\n")[0]!.replace(/\r\n[ \t]+/gu, " "))?.[1];
    expect(url).toBeDefined();
    expect(verifyUnsubscribeToken(SECRET, new URL(url!).searchParams.get("token")!)).toBe(recipient.email.toLowerCase());
    if (content.text.includes(UNSUBSCRIBE_URL_PLACEHOLDER)) expect(b.text).toContain(url);
    expect(b.html).toContain(url!.replaceAll("&", "&amp;"));
    // Stronger than parsing: the bytes are the same but for the random boundaries.
    expect(withoutBoundaries(spliced.raw)).toBe(withoutBoundaries(reference.raw));
  }
  const toName = (await simpleParser((await template.compose(RECIPIENTS[0]!)).raw)).to;
  expect(Array.isArray(toName) ? toName[0]!.value : toName!.value).toEqual([{ name: HARD_NAME, address: "Zhang.San@example.com" }]);
}

describe("the message template (composed once, spliced per recipient)", () => {
  it("writes what composeMessage writes, for the sample issue and names with commas, quotes and Chinese", async () => {
    await withTempDir(async (dir) => {
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")));
      await compareBothWays(await sampleNewsletter(), settings);
    });
  });

  it("writes what composeMessage writes for a newsletter mostly in Chinese (base64 parts, the link at any offset)", async () => {
    await withTempDir(async (dir) => {
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")));
      const chinese = "研究了深度网络在训练中如何学习特征并表明损失景观在最初几轮迅速变化。";
      // Several lengths before the link, so it starts at every offset within a base64 line.
      for (const repeat of [7, 8, 9, 40, 41, 42]) {
        const head = chinese.repeat(repeat);
        const content = { ...newsletterFixture(), text: `${head}\n退订: ${UNSUBSCRIBE_URL_PLACEHOLDER}\n${chinese}\n`, html: `<p>${head}</p><a href="${UNSUBSCRIBE_URL_PLACEHOLDER}">退订</a><p>${chinese}</p>` };
        const probe = (await composeMessage(content, RECIPIENTS[0]!, settings)).raw.toString("latin1");
        expect(probe.match(/Content-Transfer-Encoding: .*/gu)).toEqual(["Content-Transfer-Encoding: base64", "Content-Transfer-Encoding: base64"]);
        await compareBothWays(content, settings);
      }
    });
  });

  it("writes what composeMessage writes for an ASCII newsletter (quoted-printable parts, a URL longer than a line)", async () => {
    await withTempDir(async (dir) => {
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")));
      const content = newsletterFixture("2020-10-30", "Digest 2020-10-30\r\nBcc: victim@example.net");
      const probe = (await composeMessage(content, RECIPIENTS[1]!, settings)).raw.toString("latin1");
      expect(probe).toContain("Content-Transfer-Encoding: quoted-printable");
      await compareBothWays(content, settings);
    });
  });

  it("writes what composeMessage writes when the letters of the recipient's link decide between quoted-printable and base64", async () => {
    await withTempDir(async (dir) => {
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")));
      // MimeNode counts letters against non-ASCII characters; the link brings
      // letters, more for some recipients than for others with links of the same length.
      const emails = Array.from({ length: 40 }, (_, i) => `reader${i + 10}@example.org`);
      const letters = emails.map((email) => unsubscribeUrlFor(settings, email).replace(/[^A-Za-z]/gu, "").length);
      const sorted = [...letters].sort((a, b) => a - b);
      const tie = sorted[20]!;
      expect(sorted[0]!).toBeLessThan(tie);
      const text = `${"字".repeat(200 + tie)}\n${"a".repeat(200)}\n${UNSUBSCRIBE_URL_PLACEHOLDER}\n`;
      const content = { ...newsletterFixture(), text };
      const template = await createMessageTemplate(content, settings);
      const transfers = new Set<string>();
      for (const email of emails) {
        const now = new Date();
        const reference = await composeMessage(content, { email }, settings, now);
        transfers.add(/Content-Transfer-Encoding: (\S+)/u.exec(reference.raw.toString("latin1").split("text/plain")[1]!)![1]!);
        expect(withoutBoundaries((await template.compose({ email }, now)).raw), email).toBe(withoutBoundaries(reference.raw));
      }
      expect(transfers).toEqual(new Set(["base64", "quoted-printable"]));
    });
  });

  it("writes what composeMessage writes for a short plain-text part (7bit) and a link in several places", async () => {
    await withTempDir(async (dir) => {
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")));
      const base = newsletterFixture();
      const content = { ...base, text: "Hi\n", html: `${base.html}<p><a href="https://unsubscribe.letterpress.invalid/">again</a></p>` };
      const probe = (await composeMessage(content, RECIPIENTS[0]!, settings)).raw.toString("latin1");
      expect(probe).toContain("Content-Transfer-Encoding: 7bit");
      await compareBothWays(content, settings);
    });
  });

  it("signs every recipient's message with DKIM when a key is configured, and the signature verifies", async () => {
    await withTempDir(async (dir) => {
      const { settings, publicKeyPem } = dkimSettings(join(dir, "db.sqlite"));
      const template = await createMessageTemplate(await sampleNewsletter(), settings);
      for (const recipient of RECIPIENTS.slice(0, 2)) {
        const message = await template.compose(recipient);
        const result = verifyDkimRelaxed(message.raw, publicKeyPem);
        expect(result.signedHeaders).toEqual(expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post", "to", "message-id", "date"]));
        expect(result.bodyHashMatches).toBe(true);
        expect(result.signatureValid).toBe(true);
      }
    });
  });
});

/** Each part's Content-Transfer-Encoding and body bytes, in order (text, then HTML). */
function partsOf(raw: Buffer): { transfer: string; body: Buffer }[] {
  const text = raw.toString("latin1");
  const boundary = /boundary="?([^";\r\n]+)"?/u.exec(text)![1]!;
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const [head, ...body] = part.split("\r\n\r\n");
      return { transfer: /Content-Transfer-Encoding: (\S+)/u.exec(head!)![1]!, body: Buffer.from(body.join("\r\n\r\n").replace(/\r\n$/u, ""), "latin1") };
    });
}

/**
 * With 8bit allowed: the transfer encodings expected per part, the 8bit
 * bodies byte for byte (the recipient's part, UTF-8, CRLF), and what
 * mailparser reads equal to what it reads from composeMessage's 7-bit message.
 */
async function compareEightBit(content: NewsletterContent, settings: MessageSettings, transfers: string[]) {
  const template = await createMessageTemplate(content, settings);
  for (const recipient of RECIPIENTS) {
    const now = new Date();
    const reference = await composeMessage(content, recipient, settings, now);
    const eight = await template.compose(recipient, now, { eightBit: true });
    const parts = partsOf(eight.raw);
    expect(parts.map((p) => p.transfer)).toEqual(transfers);
    expect(eight.eightBit ?? false).toBe(transfers.includes("8bit"));
    const url = /^List-Unsubscribe: <(https:[^>]+)>/mu.exec(eight.raw.toString("latin1").split("\r\n\r\n")[0]!.replace(/\r\n[ \t]+/gu, " "))![1]!;
    const filled = fillUnsubscribeUrl(content, url);
    [filled.text, filled.html].forEach((body, i) => {
      if (parts[i]!.transfer === "8bit") expect(parts[i]!.body.equals(Buffer.from(body.replace(/\r?\n/gu, "\r\n"), "utf8"))).toBe(true);
    });
    const [a, b] = await Promise.all([simpleParser(reference.raw), simpleParser(eight.raw)]);
    expect(parsedHeaders(b)).toEqual(parsedHeaders(a));
    expect(b.text).toBe(a.text);
    expect(b.html).toBe(a.html);
    expect(b.messageId).toBe(a.messageId);
    expect(b.to).toEqual(a.to);
    // The same message but for the parts' encoding: without 8bit, the bytes composeMessage writes.
    const seven = await template.compose(recipient, now, { eightBit: false });
    expect(seven.eightBit).toBeUndefined();
    expect(withoutBoundaries(seven.raw)).toBe(withoutBoundaries(reference.raw));
  }
}

describe("8bit parts, once the server announced 8BITMIME (RFC 6152)", () => {
  it("sends both parts of the sample as they are (the renderer broke its HTML's long abstract lines at spaces), and mailparser reads both back as from composeMessage", async () => {
    await withTempDir(async (dir) => {
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")));
      const content = await sampleNewsletter();
      expect(fitsEightBit(content.html)).toBe(true);
      await compareEightBit(content, settings, ["8bit", "8bit"]);
    });
  });

  it("keeps quoted-printable for an HTML part with a line over 998 octets that has no space to break at", async () => {
    await withTempDir(async (dir) => {
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")));
      const sample = await sampleNewsletter();
      // 400 Chinese characters, 1,200 octets, no space: nowhere a newline would render as the text did.
      const html = breakLongHtmlLines(sample.html.replace("</body>", `<p>${"字".repeat(400)}</p>\n</body>`));
      expect(html).toContain(`<p>${"字".repeat(400)}</p>`);
      expect(fitsEightBit(html)).toBe(false);
      await compareEightBit({ ...sample, html }, settings, ["8bit", "quoted-printable"]);
    });
  });

  it("sends both parts of a Chinese newsletter as they are (a line starting with a dot, heads of several lengths)", async () => {
    await withTempDir(async (dir) => {
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")));
      const chinese = "研究了深度网络在训练中如何学习特征并表明损失景观在最初几轮迅速变化。";
      for (const repeat of [1, 5, 9]) {
        const head = chinese.repeat(repeat);
        const content = {
          ...newsletterFixture(),
          text: `${head}\n.开头是一个点\n退订: ${UNSUBSCRIBE_URL_PLACEHOLDER}\n${chinese}\n`,
          html: `<p>${head}</p>\n.<a href="${UNSUBSCRIBE_URL_PLACEHOLDER}">退订</a><p>${chinese}</p>`,
        };
        await compareEightBit(content, settings, ["8bit", "8bit"]);
      }
    });
  });

  it("keeps 7-bit encodings for an ASCII newsletter, for a line one octet too long, and whenever the message is DKIM-signed", async () => {
    await withTempDir(async (dir) => {
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")));
      const ascii = newsletterFixture("2020-10-30", "Digest 2020-10-30");
      const asciiTransfers = partsOf((await composeMessage(ascii, RECIPIENTS[1]!, settings)).raw).map((p) => p.transfer);
      await compareEightBit(ascii, settings, asciiTransfers);

      // 333 three-octet characters: 999 octets, one over RFC 5322's 998.
      const tooLong = { ...newsletterFixture(), text: `${"字".repeat(333)}\n${UNSUBSCRIBE_URL_PLACEHOLDER}\n`, html: `<p>${"字".repeat(330)}</p>\n<a href="${UNSUBSCRIBE_URL_PLACEHOLDER}">x</a>` };
      expect(fitsEightBit(tooLong.text)).toBe(false);
      expect(fitsEightBit(tooLong.html.replace(UNSUBSCRIBE_URL_PLACEHOLDER, "u"))).toBe(true);
      const tooLongTransfer = partsOf((await composeMessage(tooLong, RECIPIENTS[1]!, settings)).raw)[0]!.transfer;
      await compareEightBit(tooLong, settings, [tooLongTransfer, "8bit"]);

      const signing = dkimSettings(join(dir, "db.sqlite")).settings;
      const signed = await (await createMessageTemplate(await sampleNewsletter(), signing)).compose(RECIPIENTS[0]!, new Date(), { eightBit: true });
      expect(signed.eightBit).toBeUndefined();
      expect(partsOf(signed.raw.subarray(signed.raw.indexOf("\r\nFrom:"))).map((p) => p.transfer)).toEqual(["quoted-printable", "quoted-printable"]);
    });
  });

  it("fitsEightBit: 998 octets a line at most, no NUL, no CR but before LF", () => {
    expect(fitsEightBit(`${"a".repeat(998)}\r\n${"字".repeat(332)}\n`)).toBe(true);
    expect(fitsEightBit("a".repeat(999))).toBe(false);
    expect(fitsEightBit(`ok\n${"é".repeat(500)}`)).toBe(false);
    expect(fitsEightBit("a\rb")).toBe(false);
    expect(fitsEightBit("a\u0000b")).toBe(false);
    expect(fitsEightBit("")).toBe(true);
  });
});
