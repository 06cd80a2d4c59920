import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Ledger } from "../../src/deliver/ledger.js";
import { resolveMessageSettings } from "../../src/deliver/message.js";
import { sendIssue } from "../../src/deliver/send.js";
import { createTransport, type OutgoingMessage, type SendReceipt, type Transport } from "../../src/deliver/transport.js";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { newsletterFixture, recordOutput, testConfig, withTempDir } from "./fixtures.js";

/** A transport that fails on demand and records when each attempt started. */
function fakeTransport(concurrency: number, fail: (to: string, attempt: number) => Error | undefined): Transport & { starts: { to: string; at: number }[] } {
  const attempts = new Map<string, number>();
  const starts: { to: string; at: number }[] = [];
  return {
    name: "fake",
    concurrency,
    starts,
    async send(message: OutgoingMessage): Promise<SendReceipt> {
      const to = message.envelope.to[0]!;
      const attempt = (attempts.get(to) ?? 0) + 1;
      attempts.set(to, attempt);
      starts.push({ to, at: Date.now() });
      await new Promise((r) => setTimeout(r, 5));
      const error = fail(to, attempt);
      if (error) throw error;
      return { response: "250 ok" };
    },
    async close() {},
  };
}

describe("pacing", () => {
  it("a throttling reply (421) pauses the whole send, not only that recipient", async () => {
    await withTempDir(async (dir) => {
      const config = testConfig(join(dir, "db.sqlite"));
      const db = openDatabase(config.database);
      new SubscriberStore(db).importSubscribers(["a", "b", "c", "d", "e"].map((x) => ({ email: `${x}@example.org` })));
      const transport = fakeTransport(2, (to, attempt) =>
        to === "a@example.org" && attempt === 1 ? Object.assign(new Error("421 4.7.0 too many messages, slow down"), { responseCode: 421, command: "MAIL FROM", response: "421 4.7.0 too many messages, slow down" }) : undefined,
      );
      const summary = await sendIssue({ content: newsletterFixture(), db, transport, settings: resolveMessageSettings(config), out: recordOutput(), retries: 2, backoffMs: 200, maxBackoffMs: 1000, random: () => 1 });
      db.close();
      expect(summary).toMatchObject({ sent: 5, throttled: 1, retries: 1, complete: true });
      const throttledAt = transport.starts[0]!.at;
      // b started beside a; every later start waits out the pause (200 ms with the dice at 1).
      const later = transport.starts.filter((s) => s.to !== "b@example.org" && s !== transport.starts[0]);
      expect(later.length).toBe(4);
      for (const start of later) expect(start.at - throttledAt, start.to).toBeGreaterThanOrEqual(195);
    });
  });

  it("treats a refused connection as temporary: nothing suppressed, all deferred, the next send can finish", async () => {
    await withTempDir(async (dir) => {
      // Port 1 (tcpmux): nothing listens there on a test machine, so the connection is refused.
      const config = testConfig(join(dir, "db.sqlite"), { transport: "smtp://127.0.0.1:1" });
      const db = openDatabase(config.database);
      const store = new SubscriberStore(db);
      store.importSubscribers([{ email: "a@example.org" }, { email: "b@example.org" }]);
      const transport = createTransport(config.transport, config);
      const summary = await sendIssue({ content: newsletterFixture(), db, transport, settings: resolveMessageSettings(config), out: recordOutput(), retries: 1, backoffMs: 5, maxBackoffMs: 10 });
      await transport.close();
      expect(summary.sent).toBe(0);
      expect(summary.uncertain).toBe(0);
      expect(summary.failed).toHaveLength(2);
      expect(summary.failed.every((f) => !f.permanent && /ECONNREFUSED|connect/iu.test(f.reason))).toBe(true);
      expect(store.list().every((s) => s.status === "active")).toBe(true);
      expect([...new Ledger(db).deliveries("2020-10-30").values()].map((d) => [d.status, d.attempts])).toEqual([
        ["deferred", 2],
        ["deferred", 2],
      ]);
      db.close();
    });
  });

  it("draws a progress bar on a terminal", async () => {
    await withTempDir(async (dir) => {
      const config = testConfig(join(dir, "db.sqlite"));
      const db = openDatabase(config.database);
      new SubscriberStore(db).importSubscribers(["a", "b", "c", "d"].map((x) => ({ email: `${x}@example.org` })));
      const drawn: string[] = [];
      const out = { ...recordOutput(), interactive: true, progress: (line: string) => drawn.push(line) };
      await sendIssue({ content: newsletterFixture(), db, transport: fakeTransport(1, () => undefined), settings: resolveMessageSettings(config), out, retries: 0, backoffMs: 1, maxBackoffMs: 1 });
      db.close();
      expect(drawn.slice(0, 4)).toEqual([
        `sent [${"#".repeat(8)}${" ".repeat(22)}] 25% 1/4`,
        `sent [${"#".repeat(15)}${" ".repeat(15)}] 50% 2/4`,
        `sent [${"#".repeat(23)}${" ".repeat(7)}] 75% 3/4`,
        `sent [${"#".repeat(30)}] 100% 4/4`,
      ]);
      expect(out.lines).toEqual([]);
    });
  });
});
