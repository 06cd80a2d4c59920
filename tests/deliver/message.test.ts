import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import { composeMessage, messageIdFor, resolveMessageSettings, unsubscribeUrlFor, unsubscribeUrlWriter } from "../../src/deliver/message.js";
import { sendIssue } from "../../src/deliver/send.js";
import { verifyUnsubscribeToken } from "../../src/deliver/tokens.js";
import { createTransport } from "../../src/deliver/transport.js";
import { UNSUBSCRIBE_URL_PLACEHOLDER } from "../../src/render/newsletter.js";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { verifyDkimRelaxed } from "./dkim-verify.js";
import { startFaultSmtpServer, type FaultSmtpServer } from "./fault-smtp-server.js";
import { SECRET, SITE_URL, newsletterFixture, recordOutput, testConfig, withTempDir, dkimSettings } from "./fixtures.js";

const HARD_NAME = '张三, "Sam" (机器学习)';

let server: FaultSmtpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Header lines as sent, unfolded, for counting and exact checks. */
function rawHeaders(raw: Buffer): string[] {
  const head = raw.toString("latin1").split("\r\n\r\n")[0]!;
  return head.replace(/\r\n[ \t]+/gu, " ").split("\r\n");
}

describe("one message per recipient, through a real SMTP server", () => {
  it("carries every header and part, for a name with a comma, quotes and Chinese characters", async () => {
    await withTempDir(async (dir) => {
      server = await startFaultSmtpServer();
      const config = testConfig(join(dir, "db.sqlite"), { transport: server.url });
      const db = openDatabase(config.database);
      new SubscriberStore(db).importSubscribers([{ email: "Zhang.San@Example.com", name: HARD_NAME }]);
      const transport = createTransport(config.transport, config);
      const settings = resolveMessageSettings(config);
      // A title with CR/LF and a would-be header in it: the renderer promises
      // one line, but the sender must not trust that.
      const content = newsletterFixture("2020-10-30", "Digest 2020-10-30\r\nBcc: victim@example.net\r\nX-Injected: yes");
      const summary = await sendIssue({ content, db, transport, settings, out: recordOutput(), retries: 2, backoffMs: 5, maxBackoffMs: 20 });
      await transport.close();
      db.close();

      expect(summary).toMatchObject({ recipients: 1, sent: 1, complete: true });
      expect(server.received).toHaveLength(1);
      const { raw, to } = server.received[0]!;
      expect(to.map((a) => a.toLowerCase())).toEqual(["zhang.san@example.com"]);
      const mail = await simpleParser(raw);

      // To: the name survives encoding whole, as one address.
      const toValue = Array.isArray(mail.to) ? mail.to[0]! : mail.to!;
      // Nodemailer lower-cases the domain (case-insensitive, RFC 5321 §2.4) and keeps the local part.
      expect(toValue.value).toEqual([{ name: HARD_NAME, address: "Zhang.San@example.com" }]);

      // Subject: CR/LF became spaces; no header was injected.
      expect(mail.subject).toBe("Digest 2020-10-30 Bcc: victim@example.net X-Injected: yes");
      expect(mail.headers.has("bcc")).toBe(false);
      expect(mail.headers.has("x-injected")).toBe(false);
      expect(rawHeaders(raw).filter((l) => /^(bcc|x-injected):/iu.test(l))).toEqual([]);

      // Exactly one List-Unsubscribe, with the HTTPS link and a mailto: (RFC 8058 §3.1, RFC 2369).
      const lines = rawHeaders(raw);
      const listUnsubscribe = lines.filter((l) => /^List-Unsubscribe:/iu.test(l));
      expect(listUnsubscribe).toHaveLength(1);
      const [, httpsUri, mailtoUri] = /^List-Unsubscribe: <(https:[^>]+)>, <(mailto:[^>]+)>$/u.exec(listUnsubscribe[0]!) ?? [];
      expect(httpsUri).toBeDefined();
      expect(mailtoUri).toBe("mailto:digest@example.org?subject=unsubscribe");
      const unsubscribe = new URL(httpsUri!);
      expect(`${unsubscribe.origin}${unsubscribe.pathname}`).toBe(`${SITE_URL}unsubscribe`);
      expect(verifyUnsubscribeToken(SECRET, unsubscribe.searchParams.get("token")!)).toBe("zhang.san@example.com");
      expect(lines.filter((l) => /^List-Unsubscribe-Post:/iu.test(l))).toEqual(["List-Unsubscribe-Post: List-Unsubscribe=One-Click"]);

      // List-Id of RFC 2919's form: phrase <dotted.id>; List-Archive points at the archive.
      const list = mail.headers.get("list") as { id?: { id?: string; name?: string }; unsubscribe?: unknown } | undefined;
      expect(lines.find((l) => /^List-Id:/iu.test(l))).toMatch(/^List-Id: .+ <digest\.example\.org>$/iu);
      expect(list?.id?.id).toBe("digest.example.org");
      expect(decodeQWords(list?.id?.name ?? "")).toBe("爱可可 AI 前沿推介");
      expect(lines).toContain(`List-Archive: <${SITE_URL}>`);

      // Message-ID stable for this issue and recipient; Date present.
      expect(mail.messageId).toBe(messageIdFor(settings, "2020-10-30", "zhang.san@example.com"));
      expect(mail.date).toBeInstanceOf(Date);
      expect(Math.abs(mail.date!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(mail.from?.value).toEqual([{ name: "AI Digest", address: "digest@example.org" }]);
      expect(mail.replyTo?.value[0]?.address).toBe("editor@example.org");

      // Both parts, each with this recipient's link and no placeholder left.
      expect(mail.text).toContain(`Unsubscribe: ${httpsUri}`);
      expect(mail.text).toContain("Beyond <eos> & more");
      expect(mail.html).toContain(`href="${httpsUri!.replaceAll("&", "&amp;")}"`);
      for (const part of [mail.text!, mail.html as string]) expect(part).not.toContain(UNSUBSCRIBE_URL_PLACEHOLDER);
    });
  });

  it("keeps one Message-ID per issue and recipient, whatever the attempt, and a different one per recipient and issue", async () => {
    await withTempDir(async (dir) => {
      const settings = resolveMessageSettings(testConfig(join(dir, "db.sqlite")));
      const content = newsletterFixture();
      const first = await composeMessage(content, { email: "a@example.org" }, settings, new Date(0));
      const again = await composeMessage(content, { email: "A@example.org" }, settings, new Date(60_000));
      const other = await composeMessage(content, { email: "b@example.org" }, settings);
      const nextIssue = await composeMessage(newsletterFixture("2020-10-31"), { email: "a@example.org" }, settings);
      expect(again.messageId).toBe(first.messageId);
      expect(new Set([first.messageId, other.messageId, nextIssue.messageId]).size).toBe(3);
      expect(first.messageId).toMatch(/^<2020-10-30\.[0-9a-f]{32}@example\.org>$/u);
    });
  });

  it("signs with DKIM when a key is configured, covering both List-Unsubscribe headers, and the signature verifies", async () => {
    await withTempDir(async (dir) => {
      const { settings, publicKeyPem } = dkimSettings(join(dir, "db.sqlite"));
      const message = await composeMessage(newsletterFixture(), { email: "reader@example.org", name: HARD_NAME }, settings);
      const result = verifyDkimRelaxed(message.raw, publicKeyPem);
      expect(result.tags.d).toBe("example.org");
      expect(result.tags.s).toBe("news");
      expect(result.signedHeaders).toEqual(expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post", "list-id", "from", "to", "subject", "message-id"]));
      expect(result.bodyHashMatches).toBe(true);
      expect(result.signatureValid).toBe(true);

      // Tampering with a signed header breaks the signature.
      const tampered = Buffer.from(message.raw.toString("latin1").replace("List-Unsubscribe-Post: List-Unsubscribe=One-Click", "List-Unsubscribe-Post: List-Unsubscribe=Two-Click"), "latin1");
      expect(verifyDkimRelaxed(tampered, publicKeyPem).signatureValid).toBe(false);
    });
  });
});

/** RFC 2047 Q-encoded words (mailparser leaves List-Id's phrase encoded); adjacent words join without the space between. */
function decodeQWords(text: string): string {
  const bytes: number[] = [];
  for (const [, word] of text.matchAll(/=\?UTF-8\?Q\?([^?]*)\?=/giu)) {
    const decoded = word!.replaceAll("_", " ").replace(/=([0-9A-F]{2})/giu, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    bytes.push(...Buffer.from(decoded, "latin1"));
  }
  return Buffer.from(bytes).toString("utf8");
}

describe("the unsubscribe URL written without parsing it per recipient", () => {
  it("is the URL unsubscribeUrlFor writes, for unsubscribe URLs with and without a query, a fragment and a token already there", () => {
    const settings = resolveMessageSettings(testConfig("/nonexistent/db.sqlite"));
    const bases = [
      "https://example.org/digest/unsubscribe",
      "https://example.org/u?list=a%20b&x=1",
      "https://example.org/u?token=old&lang=zh#top",
      "https://例え.jp/退会?名前=値",
      "https://example.org/u?a=b+c&empty=&plus=%2B",
    ];
    const addresses = ["reader@example.org", "Zhang.San@Example.com", "o'brien+news@example.net", `${"long".repeat(15)}@${"sub.".repeat(20)}example.org`];
    for (const unsubscribeUrl of bases) {
      const write = unsubscribeUrlWriter({ ...settings, unsubscribeUrl });
      for (const email of addresses) expect(write(email), `${unsubscribeUrl} ${email}`).toBe(unsubscribeUrlFor({ ...settings, unsubscribeUrl }, email));
    }
  });
});
