import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../../src/deliver/ledger.js";
import { resolveMessageSettings } from "../../src/deliver/message.js";
import { classifyFailure, formatSummary, retryPolicy, sendIssue } from "../../src/deliver/send.js";
import { createTransport } from "../../src/deliver/transport.js";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { copiesByRecipient, messageIdOf, startFaultSmtpServer, type FaultSmtpServer } from "./fault-smtp-server.js";
import { newsletterFixture, recordOutput, testConfig, withTempDir } from "./fixtures.js";

let server: FaultSmtpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("classifyFailure", () => {
  it("reads Nodemailer's responseCode, code and command", () => {
    expect(classifyFailure({ responseCode: 451, code: "EENVELOPE", command: "RCPT TO", response: "451 4.3.0 try later" })).toMatchObject({ kind: "temporary", throttle: false, noReply: false });
    expect(classifyFailure({ responseCode: 421, code: "EENVELOPE", command: "MAIL FROM", response: "421 closing" })).toMatchObject({ kind: "temporary", throttle: true });
    expect(classifyFailure({ responseCode: 454, command: "RCPT TO", response: "454 4.7.0 throttling" })).toMatchObject({ kind: "temporary", throttle: true });
    expect(classifyFailure({ responseCode: 452, command: "RCPT TO", response: "452 4.5.3 too many recipients" })).toMatchObject({ kind: "temporary", throttle: true });
    expect(classifyFailure({ responseCode: 550, code: "EENVELOPE", command: "RCPT TO", response: "550 5.1.1 no such user" })).toMatchObject({ kind: "permanent", reason: "550 5.1.1 no such user" });
    expect(classifyFailure({ responseCode: 554, code: "EMESSAGE", command: "DATA", response: "554 rejected" })).toMatchObject({ kind: "permanent" });
    // Never blame the recipient for a refusal of us.
    expect(classifyFailure({ responseCode: 535, code: "EAUTH", command: "AUTH PLAIN", response: "535 bad credentials" })).toMatchObject({ kind: "fatal" });
    expect(classifyFailure({ responseCode: 550, code: "EENVELOPE", command: "MAIL FROM", response: "550 sender rejected" })).toMatchObject({ kind: "fatal" });
    for (const code of ["ECONNECTION", "ETIMEDOUT", "ESOCKET", "ECONNRESET"]) {
      expect(classifyFailure(Object.assign(new Error("gone"), { code }))).toMatchObject({ kind: "temporary", noReply: true });
    }
    // Never connected: temporary, and certainly not delivered.
    expect(classifyFailure(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ESOCKET", originalCode: "ECONNREFUSED", command: "CONN" }))).toMatchObject({ kind: "temporary", noReply: false });
    expect(classifyFailure(new Error("something unexpected"))).toMatchObject({ kind: "temporary" });
  });
});

describe("sendIssue against a server that fails on purpose", () => {
  it("retries 4xx and dropped connections, suppresses 550s, and every valid subscriber gets exactly one copy", async () => {
    await withTempDir(async (dir) => {
      server = await startFaultSmtpServer({
        rcptReply: (address, attempt) => {
          if (address.startsWith("busy")) return attempt <= 2 ? { code: 451, message: "4.3.0 mailbox busy, try again" } : undefined;
          if (address.startsWith("slow")) return attempt <= 2 ? { code: 454, message: "4.7.0 throttling: slow down" } : undefined;
          if (address.startsWith("gone")) return { code: 550, message: "5.1.1 no such user" };
          return undefined;
        },
        // After 4 and after 8 confirmed messages: with 13 to deliver and at most 3 in flight, both happen.
        dropEvery: 4,
        drops: 2,
      });
      const config = testConfig(join(dir, "db.sqlite"), { transport: server.url });
      const db = openDatabase(config.database);
      const store = new SubscriberStore(db);
      const valid = [
        ...Array.from({ length: 10 }, (_, i) => `reader${i}@example.org`),
        "busy1@example.org",
        "busy2@example.com",
        "slow1@example.org",
      ];
      const gone = ["gone1@example.org", "gone2@example.com"];
      store.importSubscribers([...valid, ...gone, "left@example.org"].map((email) => ({ email })));
      store.unsubscribe("left@example.org");

      const transport = createTransport(config.transport, config);
      const out = recordOutput();
      const started = Date.now();
      const summary = await sendIssue({
        content: newsletterFixture(),
        db,
        transport,
        settings: resolveMessageSettings(config),
        out,
        ...retryPolicy(config),
      });
      await transport.close();
      const elapsed = Date.now() - started;

      const copies = copiesByRecipient(server.received);
      for (const email of valid) {
        expect(copies.get(email)?.length, email).toBe(1);
      }
      for (const email of gone) expect(copies.get(email), email).toBeUndefined();
      expect(copies.has("left@example.org")).toBe(false);
      expect(server.received).toHaveLength(valid.length);
      expect(server.dropped).toBe(2);

      expect(summary.recipients).toBe(valid.length + gone.length);
      expect(summary.sent).toBe(valid.length);
      expect(summary.skipped).toEqual({ unsubscribed: 1, suppressed: 0 });
      expect(summary.failed.map((f) => f.email).sort()).toEqual(gone);
      expect(summary.failed.every((f) => f.permanent && f.reason.includes("550"))).toBe(true);
      // 2 × 451 + 2 × 454 retries, plus one per dropped connection (each drop fails the message then on that connection).
      expect(summary.retries).toBeGreaterThanOrEqual(4 + 2);
      expect(summary.throttled).toBe(2);
      expect(summary.complete).toBe(false);
      expect(elapsed).toBeLessThan(10_000);

      for (const email of gone) expect(store.get(email)).toMatchObject({ status: "suppressed", reason: expect.stringContaining("550") });
      for (const email of valid) expect(store.get(email)?.status).toBe("active");
      const ledger = new Ledger(db).deliveries("2020-10-30");
      expect([...ledger.values()].filter((d) => d.status === "sent")).toHaveLength(valid.length);
      expect([...ledger.values()].filter((d) => d.status === "failed").map((d) => d.email).sort()).toEqual(gone);
      // Every transaction the server saw is an attempt in the ledger: the pool
      // resent nothing behind letterpress's back (maxRequeues: 0).
      expect([...ledger.values()].reduce((n, d) => n + d.attempts, 0)).toBe(server.transactions);
      // Two 451s, then the one that went through (a dropped connection may have cost it more).
      expect(ledger.get("busy1@example.org")?.attempts).toBeGreaterThanOrEqual(3);

      const text = formatSummary(summary).join("\n");
      expect(text).toContain(`sent ${valid.length}`);
      expect(text).toContain("failed 2");
      expect(text).toContain("gone1@example.org: 550 5.1.1 no such user (suppressed)");
      expect(out.lines.filter((l) => /^sent \d+0% /u.test(l)).length).toBe(10);

      // Sending again changes nothing: the confirmed are not sent again, the suppressed are skipped.
      const again = createTransport(config.transport, config);
      const second = await sendIssue({ content: newsletterFixture(), db, transport: again, settings: resolveMessageSettings(config), out: recordOutput(), retries: 1, backoffMs: 5, maxBackoffMs: 10 });
      await again.close();
      db.close();
      expect(second).toMatchObject({ sent: 0, alreadySent: valid.length, recipients: valid.length, failed: [], complete: true, skipped: { unsubscribed: 1, suppressed: 2 } });
      expect(server.received).toHaveLength(valid.length);
      expect(new Set(server.received.map((m) => messageIdOf(m.raw))).size).toBe(valid.length);
    });
  });

  it("gives up on a recipient after the retries, records it deferred, suppresses nothing, and the next send delivers it", async () => {
    await withTempDir(async (dir) => {
      let refusing = true;
      server = await startFaultSmtpServer({ rcptReply: (address) => (refusing && address === "full@example.org" ? { code: 452, message: "4.2.2 mailbox full" } : undefined) });
      const config = testConfig(join(dir, "db.sqlite"), { transport: server.url });
      const db = openDatabase(config.database);
      new SubscriberStore(db).importSubscribers([{ email: "full@example.org" }, { email: "fine@example.org" }]);
      const run = async () => {
        const transport = createTransport(config.transport, config);
        try {
          return await sendIssue({ content: newsletterFixture(), db, transport, settings: resolveMessageSettings(config), out: recordOutput(), retries: 2, backoffMs: 5, maxBackoffMs: 10 });
        } finally {
          await transport.close();
        }
      };
      const first = await run();
      expect(first.sent).toBe(1);
      expect(first.failed).toEqual([{ email: "full@example.org", reason: expect.stringContaining("452"), permanent: false }]);
      expect(first.complete).toBe(false);
      expect(new SubscriberStore(db).get("full@example.org")?.status).toBe("active");
      expect(new Ledger(db).deliveries("2020-10-30").get("full@example.org")).toMatchObject({ status: "deferred", attempts: 3 });

      refusing = false;
      const second = await run();
      db.close();
      expect(second).toMatchObject({ sent: 1, alreadySent: 1, complete: true });
      expect(copiesByRecipient(server.received).get("full@example.org")).toHaveLength(1);
      expect(copiesByRecipient(server.received).get("fine@example.org")).toHaveLength(1);
    });
  });

  it("a connection lost after the message went out: letterpress sends it again with the same Message-ID and counts it uncertain", async () => {
    await withTempDir(async (dir) => {
      server = await startFaultSmtpServer({ keepAndDropAfterData: 1 });
      const config = testConfig(join(dir, "db.sqlite"), { transport: server.url, smtp: { maxConnections: 1 } });
      const db = openDatabase(config.database);
      new SubscriberStore(db).importSubscribers([{ email: "a@example.org" }, { email: "b@example.org" }]);
      const transport = createTransport(config.transport, config);
      const summary = await sendIssue({ content: newsletterFixture(), db, transport, settings: resolveMessageSettings(config), out: recordOutput(), retries: 2, backoffMs: 5, maxBackoffMs: 10 });
      await transport.close();
      db.close();
      expect(summary).toMatchObject({ sent: 2, retries: 1, uncertain: 1, resent: 0, complete: true });
      const copies = copiesByRecipient(server.received);
      expect(copies.get("a@example.org")).toHaveLength(2);
      expect(new Set(copies.get("a@example.org")!.map((m) => messageIdOf(m.raw))).size).toBe(1);
      expect(copies.get("b@example.org")).toHaveLength(1);
      expect(formatSummary(summary).join("\n")).toContain("uncertain 1 (sent again after an attempt with no reply");
    });
  });

  it("stops at a login the server refuses (535), blames no address, and suppresses none", async () => {
    await withTempDir(async (dir) => {
      server = await startFaultSmtpServer({ refuseLogin: true });
      const config = testConfig(join(dir, "db.sqlite"), { transport: `smtp://me:wrong@127.0.0.1:${server.port}` });
      const db = openDatabase(config.database);
      const store = new SubscriberStore(db);
      store.importSubscribers(Array.from({ length: 8 }, (_, i) => ({ email: `r${i}@example.org` })));
      const transport = createTransport(config.transport, config);
      const summary = await sendIssue({ content: newsletterFixture(), db, transport, settings: resolveMessageSettings(config), out: recordOutput(), retries: 3, backoffMs: 5, maxBackoffMs: 10 });
      await transport.close();
      expect(summary.sent).toBe(0);
      expect(summary.failed).toHaveLength(8);
      expect(summary.failed.every((f) => !f.permanent && f.reason.includes("535"))).toBe(true);
      expect(summary.retries).toBe(0);
      expect(store.list().every((s) => s.status === "active")).toBe(true);
      expect(server.transactions).toBe(0);
      db.close();
    });
  });

  it("caps the rate with --rate", async () => {
    await withTempDir(async (dir) => {
      server = await startFaultSmtpServer();
      const config = testConfig(join(dir, "db.sqlite"), { transport: server.url });
      const db = openDatabase(config.database);
      new SubscriberStore(db).importSubscribers(Array.from({ length: 6 }, (_, i) => ({ email: `r${i}@example.org` })));
      const transport = createTransport(config.transport, config);
      const started = Date.now();
      const summary = await sendIssue({ content: newsletterFixture(), db, transport, settings: resolveMessageSettings(config), out: recordOutput(), rate: 20, retries: 0, backoffMs: 5, maxBackoffMs: 10 });
      const elapsed = Date.now() - started;
      await transport.close();
      db.close();
      expect(summary.sent).toBe(6);
      // Six starts 50 ms apart: the last starts 250 ms after the first.
      expect(elapsed).toBeGreaterThanOrEqual(240);
    });
  });

  it("dry run sends nothing and writes no ledger row", async () => {
    await withTempDir(async (dir) => {
      server = await startFaultSmtpServer();
      const config = testConfig(join(dir, "db.sqlite"), { transport: server.url });
      const db = openDatabase(config.database);
      new SubscriberStore(db).importSubscribers([{ email: "a@example.org", name: "A" }, { email: "b@example.org" }]);
      const transport = createTransport(config.transport, config);
      const out = recordOutput();
      const summary = await sendIssue({ content: newsletterFixture(), db, transport, settings: resolveMessageSettings(config), out, dryRun: true, retries: 0, backoffMs: 5, maxBackoffMs: 10 });
      await transport.close();
      expect(summary).toMatchObject({ dryRun: true, sent: 0, recipients: 2 });
      expect(out.lines.filter((l) => l.startsWith("would send to"))).toEqual([
        expect.stringMatching(/^would send to A <a@example\.org> <2020-10-30\.[0-9a-f]{32}@example\.org>$/u),
        expect.stringMatching(/^would send to b@example\.org </u),
      ]);
      expect(new Ledger(db).deliveries("2020-10-30").size).toBe(0);
      db.close();
      expect(server.received).toHaveLength(0);
    });
  });
});
