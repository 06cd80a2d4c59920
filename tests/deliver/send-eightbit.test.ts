import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import { composeMessage, resolveMessageSettings, unsubscribeUrlFor } from "../../src/deliver/message.js";
import { sendIssue } from "../../src/deliver/send.js";
import { fitsEightBit } from "../../src/deliver/template.js";
import { createTransport } from "../../src/deliver/transport.js";
import { renderNewsletter } from "../../src/render/email.js";
import { fillUnsubscribeUrl, UNSUBSCRIBE_URL_PLACEHOLDER, type NewsletterContent } from "../../src/render/newsletter.js";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { copiesByRecipient, messageIdOf, startFaultSmtpServer, type FaultPlan, type FaultSmtpServer } from "./fault-smtp-server.js";
import { loadSampleIssues } from "../render/email-fixtures.js";
import { newsletterFixture, recordOutput, testConfig, withTempDir } from "./fixtures.js";

let server: FaultSmtpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Mostly Chinese, every line well under 998 octets, one starting with a dot (dot-stuffed on the wire). */
function chineseNewsletter(): NewsletterContent {
  const line = "研究了深度网络在训练中如何学习特征并表明损失景观在最初几轮迅速变化。";
  return {
    ...newsletterFixture(),
    text: `${line}\n.以点开头的一行\n${line.repeat(3)}\n退订: ${UNSUBSCRIBE_URL_PLACEHOLDER}\n`,
    html: `<!doctype html><html><body>\n<p>${line.repeat(3)}</p>\n.<p>${line}</p>\n<p><a href="${UNSUBSCRIBE_URL_PLACEHOLDER}">退订</a></p>\n</body></html>`,
  };
}

async function sendChinese(dir: string, plan: FaultPlan, subscribers: string[]) {
  return sendNewsletter(dir, plan, subscribers, () => chineseNewsletter());
}

async function sendNewsletter(dir: string, plan: FaultPlan, subscribers: string[], render: (config: Config) => NewsletterContent | Promise<NewsletterContent>) {
  server = await startFaultSmtpServer(plan);
  const config = testConfig(join(dir, "db.sqlite"), { transport: server.url, smtp: { maxConnections: 2 } });
  const db = openDatabase(config.database);
  new SubscriberStore(db).importSubscribers(subscribers.map((email) => ({ email })));
  const transport = createTransport(config.transport, config);
  const settings = resolveMessageSettings(config);
  const content = await render(config);
  try {
    const summary = await sendIssue({ content, db, transport, settings, out: recordOutput(), retries: 3, backoffMs: 5, maxBackoffMs: 20 });
    return { summary, settings, content, received: server.received };
  } finally {
    await transport.close();
    db.close();
  }
}

/** Every message the server took reads, through mailparser, as composeMessage's 7-bit message for that recipient. */
async function expectReadsAsComposed(received: { to: string[]; raw: Buffer }[], content: NewsletterContent, settings: ReturnType<typeof resolveMessageSettings>) {
  for (const message of received) {
    const reference = await composeMessage(content, { email: message.to[0]! }, settings);
    const [a, b] = await Promise.all([simpleParser(reference.raw), simpleParser(message.raw)]);
    expect(b.text, message.to[0]).toBe(a.text);
    expect(b.html, message.to[0]).toBe(a.html);
    expect(b.messageId).toBe(a.messageId);
    expect(b.subject).toBe(a.subject);
  }
}

describe("sending in 8bit to a server that announces 8BITMIME", () => {
  const subscribers = Array.from({ length: 30 }, (_, i) => `reader${String(i).padStart(2, "0")}@example.org`);

  it("sends the first messages in 7 bits, then 8bit parts with BODY=8BITMIME, each read back as composeMessage's", async () => {
    await withTempDir(async (dir) => {
      const { summary, settings, content, received } = await sendChinese(dir, {}, subscribers);
      expect(summary).toMatchObject({ sent: 30, complete: true });
      const eight = received.filter((m) => m.bodyType === "8bitmime");
      // The first pipeline (2 connections × 3) goes before any reply tells us; most of the rest in 8bit.
      expect(eight.length).toBeGreaterThanOrEqual(30 - 2 * 3 * 2);
      for (const m of received) {
        const transfers = m.raw.toString("latin1").match(/Content-Transfer-Encoding: \S+/gu);
        if (m.bodyType === "8bitmime") expect(transfers, m.to[0]).toEqual(["Content-Transfer-Encoding: 8bit", "Content-Transfer-Encoding: 8bit"]);
        else expect(transfers!.filter((t) => t.endsWith("8bit")), m.to[0]).toEqual([]);
      }
      // 8bit is smaller: UTF-8 as it is against base64's four bytes for three (quoted-printable's nine).
      const size = (bodyType: string) => received.find((m) => m.bodyType === bodyType)!.raw.length;
      expect(size("8bitmime")).toBeLessThan(size("7bit") * 0.85);
      await expectReadsAsComposed(received, content, settings);
    });
  });

  it("sends the sample issue's rendered newsletter with both parts in 8bit, and mailparser reads back the HTML as rendered", async () => {
    await withTempDir(async (dir) => {
      const issues = await loadSampleIssues();
      const render = (config: Config) => renderNewsletter(issues.find((i) => i.date === "2020-10-30")!, config);
      const { summary, settings, content, received } = await sendNewsletter(dir, {}, subscribers.slice(0, 12), render);
      expect(summary).toMatchObject({ sent: 12, complete: true });
      // Its abstracts were lines of up to 1,800 octets: quoted-printable before the renderer broke them.
      expect(fitsEightBit(content.html)).toBe(true);
      const eight = received.filter((m) => m.bodyType === "8bitmime");
      expect(eight.length).toBeGreaterThan(0);
      for (const m of eight) {
        const transfers = m.raw.toString("latin1").match(/Content-Transfer-Encoding: \S+/gu);
        expect(transfers, m.to[0]).toEqual(["Content-Transfer-Encoding: 8bit", "Content-Transfer-Encoding: 8bit"]);
        const parsed = await simpleParser(m.raw);
        const rendered = fillUnsubscribeUrl(content, unsubscribeUrlFor(settings, m.to[0]!));
        expect(parsed.html, m.to[0]).toBe(rendered.html);
        expect(parsed.text, m.to[0]).toBe(rendered.text);
      }
      await expectReadsAsComposed(received, content, settings);
    });
  });

  it("never sends 8bit to a server that leaves 8BITMIME out", async () => {
    await withTempDir(async (dir) => {
      const { summary, settings, content, received } = await sendChinese(dir, { hide8BitMime: true }, subscribers);
      expect(summary).toMatchObject({ sent: 30, complete: true });
      expect(received.every((m) => m.bodyType === "7bit" && !m.raw.includes("Content-Transfer-Encoding: 8bit"))).toBe(true);
      await expectReadsAsComposed(received, content, settings);
    });
  });

  it("with dropped connections and a reply lost after DATA: one copy each, but the one sent again with its Message-ID", async () => {
    await withTempDir(async (dir) => {
      const { summary, settings, content, received } = await sendChinese(dir, { dropEvery: 7, drops: 2, keepAndDropAfterData: 1 }, subscribers);
      expect(summary).toMatchObject({ sent: 30, complete: true });
      // The lost reply, and (an upper bound, see SendSummary.uncertain) the sessions dropped at MAIL FROM.
      expect(summary.uncertain).toBeGreaterThanOrEqual(1);
      expect(received.some((m) => m.bodyType === "8bitmime")).toBe(true);
      const copies = copiesByRecipient(received);
      const twice = subscribers.filter((email) => copies.get(email)!.length > 1);
      expect(twice).toHaveLength(1);
      expect(new Set(copies.get(twice[0]!)!.map((m) => messageIdOf(m.raw))).size).toBe(1);
      for (const email of subscribers.filter((e) => e !== twice[0])) expect(copies.get(email), email).toHaveLength(1);
      await expectReadsAsComposed(received, content, settings);
    });
  });
});
