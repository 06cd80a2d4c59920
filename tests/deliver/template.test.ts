import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { composeMessage, resolveMessageSettings, type MessageSettings, type Recipient } from "../../src/deliver/message.js";
import { createMessageTemplate } from "../../src/deliver/template.js";
import { verifyUnsubscribeToken } from "../../src/deliver/tokens.js";
import { loadIssues } from "../../src/parse/index.js";
import { renderNewsletter } from "../../src/render/email.js";
import { UNSUBSCRIBE_URL_PLACEHOLDER, type NewsletterContent } from "../../src/render/newsletter.js";
import { SECRET, newsletterFixture, testConfig, withTempDir } from "./fixtures.js";
import { generateKeyPairSync } from "node:crypto";
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
  return renderNewsletter(issues.find((i) => i.date === "2020-10-30")!, issues, config);
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
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")), {
        domainName: "example.org",
        keySelector: "news",
        privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      });
      const template = await createMessageTemplate(await sampleNewsletter(), settings);
      for (const recipient of RECIPIENTS.slice(0, 2)) {
        const message = await template.compose(recipient);
        const result = verifyDkimRelaxed(message.raw, publicKey.export({ type: "spki", format: "pem" }).toString());
        expect(result.signedHeaders).toEqual(expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post", "to", "message-id", "date"]));
        expect(result.bodyHashMatches).toBe(true);
        expect(result.signatureValid).toBe(true);
      }
    });
  });
});
