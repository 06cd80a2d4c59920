import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GroupCommit, Ledger } from "../../src/deliver/ledger.js";
import { resolveMessageSettings } from "../../src/deliver/message.js";
import { sendIssue } from "../../src/deliver/send.js";
import type { OutgoingMessage, SendReceipt, Transport } from "../../src/deliver/transport.js";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { newsletterFixture, recordOutput, testConfig, withTempDir } from "./fixtures.js";

describe("group commits of the ledger", () => {
  it("commits a begin before it resolves, and outcomes by the next commit; what was never committed reads as still sending", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "db.sqlite");
      const db = openDatabase(file);
      const ledger = new Ledger(db);
      // A second connection sees only committed rows.
      const reader = openDatabase(file);
      const seen = () => Object.fromEntries([...new Ledger(reader).deliveries("2020-10-30").values()].map((d) => [d.email, d.status]));

      const commits = new GroupCommit(ledger, 60_000);
      await Promise.all(["a", "b", "c"].map((x) => commits.begin("2020-10-30", `${x}@example.org`, `<${x}@example.org>`)));
      expect(seen()).toEqual({ "a@example.org": "sending", "b@example.org": "sending", "c@example.org": "sending" });
      expect(commits.commits).toBe(1);

      commits.markSent("2020-10-30", "a@example.org", "250 ok");
      commits.markFailed("2020-10-30", "b@example.org", "550 no such user");
      // Not committed yet: a crash now would leave both as sending (sent again, with the same Message-ID).
      expect(seen()).toEqual({ "a@example.org": "sending", "b@example.org": "sending", "c@example.org": "sending" });
      // The next begin carries them along.
      await commits.begin("2020-10-30", "d@example.org", "<d@example.org>");
      expect(seen()).toEqual({ "a@example.org": "sent", "b@example.org": "failed", "c@example.org": "sending", "d@example.org": "sending" });
      commits.markDeferred("2020-10-30", "c@example.org", "451 later");
      commits.close();
      expect(seen()["c@example.org"]).toBe("deferred");
      expect(commits.commits).toBe(3);
      reader.close();
      db.close();
    });
  });
});

describe("group commits: how long a begin waits for company", () => {
  it("commits as soon as `beginBatch` begins wait, without waiting out the delay; fewer wait for the delay", async () => {
    await withTempDir(async (dir) => {
      const db = openDatabase(join(dir, "db.sqlite"));
      const ledger = new Ledger(db);
      const resolved: string[] = [];
      const begin = (commits: GroupCommit, x: string) => commits.begin("2020-10-30", `${x}@example.org`, `<${x}@example.org>`).then(() => void resolved.push(x));

      // A delay nobody waits out: the third begin commits all three at once.
      const batched = new GroupCommit(ledger, 60_000, 256, 60_000, 3);
      const firstTwo = [begin(batched, "a"), begin(batched, "b")];
      await new Promise((r) => setTimeout(r, 20));
      expect(resolved).toEqual([]);
      expect(batched.commits).toBe(0);
      await Promise.all([...firstTwo, begin(batched, "c")]);
      expect(resolved.sort()).toEqual(["a", "b", "c"]);
      expect(batched.commits).toBe(1);
      batched.close();

      // Fewer than the batch: committed once the delay is out.
      const timed = new GroupCommit(ledger, 60_000, 256, 15, 3);
      const started = Date.now();
      await begin(timed, "d");
      expect(Date.now() - started).toBeGreaterThanOrEqual(10);
      expect(timed.commits).toBe(1);
      timed.close();
      db.close();
    });
  });
});

describe("a send larger than a page of subscribers", () => {
  it("reaches every active subscriber once, skips the inactive, and resumes past what an earlier run confirmed", async () => {
    await withTempDir(async (dir) => {
      const config = testConfig(join(dir, "db.sqlite"));
      const db = openDatabase(config.database);
      const store = new SubscriberStore(db);
      const emails = Array.from({ length: 1234 }, (_, i) => `reader${i}@example.org`);
      store.importSubscribers(emails.map((email) => ({ email })));
      store.unsubscribe("reader7@example.org");
      store.suppress("reader700@example.org", "bounced");
      const delivered: string[] = [];
      let stopAfter = 600;
      const transport: Transport = {
        name: "memory",
        concurrency: 4,
        pipeline: 8,
        async send(message: OutgoingMessage): Promise<SendReceipt> {
          await new Promise((r) => setImmediate(r));
          if (delivered.length >= stopAfter) throw Object.assign(new Error("connection refused"), { code: "ECONNECTION", originalCode: "ECONNREFUSED" });
          delivered.push(message.envelope.to[0]!);
          return { response: "250 ok" };
        },
        async close() {},
      };
      const settings = resolveMessageSettings(config);
      const first = await sendIssue({ content: newsletterFixture(), db, transport, settings, out: recordOutput(), retries: 0, backoffMs: 1, maxBackoffMs: 1 });
      expect(first).toMatchObject({ recipients: 1232, sent: 600, complete: false, skipped: { unsubscribed: 1, suppressed: 1 } });
      stopAfter = Infinity;
      const second = await sendIssue({ content: newsletterFixture(), db, transport, settings, out: recordOutput(), retries: 0, backoffMs: 1, maxBackoffMs: 1 });
      expect(second).toMatchObject({ recipients: 1232, alreadySent: 600, sent: 632, complete: true });
      expect(delivered).toHaveLength(1232);
      expect(new Set(delivered).size).toBe(1232);
      expect(delivered).not.toContain("reader7@example.org");
      expect(delivered).not.toContain("reader700@example.org");
      db.close();
    });
  });
});
