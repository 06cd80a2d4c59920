import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import nodemailer from "nodemailer";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { startCaptureServer, type CapturedMessage } from "../../src/deliver/capture-server.js";
import { resolveMessageSettings } from "../../src/deliver/message.js";
import { sendIssue } from "../../src/deliver/send.js";
import { captureDirectory } from "../../src/deliver/transports/capture.js";
import { createTransport } from "../../src/deliver/transport.js";
import { ConfigError } from "../../src/errors.js";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { newsletterFixture, recordOutput, testConfig, withTempDir } from "./fixtures.js";

describe("transports by URL", () => {
  it("reads capture://DIR as a path, not a host", () => {
    expect(captureDirectory("capture://out/mailbox")).toBe(resolve("out/mailbox"));
    expect(captureDirectory("capture:///tmp/mail box")).toBe("/tmp/mail box");
    expect(captureDirectory("capture:///tmp/mail%20box")).toBe("/tmp/mail box");
  });

  it("names the field and the schemes for an unknown one, and hides passwords", async () => {
    await withTempDir(async (dir) => {
      const config = testConfig(join(dir, "db.sqlite"));
      expect(() => createTransport("http://user:hunter2@example.org", config)).toThrow(ConfigError);
      expect(() => createTransport("http://user:hunter2@example.org", config)).toThrow(/^transport: unknown transport "http:\/\/user:\*\*\*@example\.org"; expected one of smtp:\/\/…, smtps:\/\/…, capture:\/\/…$/u);
      const smtp = createTransport("smtp://me:secret@127.0.0.1:2525", config);
      expect(smtp.name).toBe("smtp://me:***@127.0.0.1:2525");
      expect(smtp.concurrency).toBe(3);
      await smtp.close();
    });
  });
});

describe("capture transport", () => {
  it("writes one .eml per message, atomically, and leaves no temporary file", async () => {
    await withTempDir(async (dir) => {
      const mailbox = join(dir, "out/mailbox");
      const config = testConfig(join(dir, "db.sqlite"), { transport: `capture://${mailbox}` });
      const db = openDatabase(config.database);
      new SubscriberStore(db).importSubscribers([{ email: "a@example.org" }, { email: "b@example.org", name: "李伟" }]);
      const transport = createTransport(config.transport, config);
      const summary = await sendIssue({ content: newsletterFixture(), db, transport, settings: resolveMessageSettings(config), out: recordOutput(), retries: 0, backoffMs: 1, maxBackoffMs: 1 });
      db.close();
      expect(summary).toMatchObject({ sent: 2, complete: true });
      const names = (await readdir(mailbox)).sort();
      expect(names).toHaveLength(2);
      expect(names.every((n) => n.endsWith(".eml") && !n.startsWith("."))).toBe(true);
      const parsed = await Promise.all(names.map(async (n) => simpleParser(await readFile(join(mailbox, n)))));
      expect(parsed.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address).sort()).toEqual(["a@example.org", "b@example.org"]);
    });
  });
});

describe("letterpress capture (SMTP server)", () => {
  it("accepts mail from any program on 127.0.0.1, saves each message and reports one line each", async () => {
    await withTempDir(async (dir) => {
      const seen: CapturedMessage[] = [];
      const server = await startCaptureServer({ port: 0, dir: join(dir, "mailbox"), onMessage: (m) => seen.push(m) });
      try {
        const client = nodemailer.createTransport({ host: "127.0.0.1", port: server.port, secure: false, ignoreTLS: true, auth: { user: "any", pass: "thing" } });
        await client.sendMail({ from: "x@example.org", to: "y@example.org", subject: "hello", text: "body", messageId: "<one@example.org>" });
        await client.sendMail({ from: "x@example.org", to: ["z@example.org", "w@example.org"], subject: "again", text: "body 2" });
        client.close();
        expect(seen).toHaveLength(2);
        expect(seen[0]).toMatchObject({ from: "x@example.org", to: ["y@example.org"], messageId: "<one@example.org>" });
        expect(seen[1]!.to).toEqual(["z@example.org", "w@example.org"]);
        const files = (await readdir(join(dir, "mailbox"))).sort();
        expect(files).toHaveLength(2);
        expect(files.every((f) => f.endsWith(".eml"))).toBe(true);
        const first = await simpleParser(await readFile(seen[0]!.file));
        expect(first.subject).toBe("hello");
        expect(first.text?.trim()).toBe("body");
      } finally {
        await server.close();
      }
    });
  });
});
