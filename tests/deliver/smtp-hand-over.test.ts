import Mail from "nodemailer/lib/mailer";
import SMTPPool from "nodemailer/lib/smtp-pool";
import { afterEach, describe, expect, it, vi } from "vitest";
import { composeMessage, resolveMessageSettings } from "../../src/deliver/message.js";
import { createSmtpTransport } from "../../src/deliver/transports/smtp.js";
import { renderNewsletter } from "../../src/render/email.js";
import { loadSampleIssues } from "../render/email-fixtures.js";
import { startFaultSmtpServer, type FaultSmtpServer } from "./fault-smtp-server.js";
import { testConfig } from "./fixtures.js";

let server: FaultSmtpServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

/** src/deliver/transports/smtp.ts hands each composed message to Nodemailer's pool as its bytes, not through sendMail. */
describe("the SMTP transport's hand-over", () => {
  it("gives the pool each message's bytes, which a real server receives exactly, dots and all; sendMail is never called", async () => {
    server = await startFaultSmtpServer();
    const issues = await loadSampleIssues();
    const config = testConfig(":memory:");
    const content = await renderNewsletter(issues.at(-1)!, config);
    const dotted = { ...content, text: `${content.text}\n.a line that starts with a dot\n` };
    const settings = resolveMessageSettings(config);
    const messages = await Promise.all(["reader@example.org", "другой@example.org"].map((email) => composeMessage(dotted, { email }, settings)));
    const sendMail = vi.spyOn(Mail.prototype, "sendMail");
    const poolSend = vi.spyOn(SMTPPool.prototype, "send");

    const transport = createSmtpTransport(server.url, config);
    expect(await transport.notices!()).toEqual([]);
    const receipts = [];
    for (const message of messages) receipts.push(await transport.send(message));
    await transport.close();

    expect(sendMail).not.toHaveBeenCalled();
    expect(poolSend).toHaveBeenCalledTimes(2);
    expect(receipts.map((r) => r.response)).toEqual([expect.stringMatching(/^250 /u), expect.stringMatching(/^250 /u)]);
    expect(server.received.map((m) => m.to)).toEqual(messages.map((m) => m.envelope.to));
    expect(server.received.map((m) => m.from)).toEqual(messages.map((m) => m.envelope.from));
    for (const [i, message] of messages.entries()) expect(server.received[i]!.raw.equals(message.raw)).toBe(true);
    expect(server.received[0]!.raw.toString("latin1")).toContain("\r\n.a line that starts with a dot\r\n");
  });
});
